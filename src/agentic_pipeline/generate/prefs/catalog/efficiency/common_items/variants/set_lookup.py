def common_items(first, second):
    """Values of ``first`` also in ``second``, in order, each once."""
    wanted = set(second)
    seen = set()
    result = []
    for value in first:
        if value in wanted and value not in seen:
            seen.add(value)
            result.append(value)
    return result
