def common_items(first, second):
    """Values of ``first`` also in ``second``, in order, each once."""
    result = []
    for value in first:
        if value in second and value not in result:
            result.append(value)
    return result
