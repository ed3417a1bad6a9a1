def common_items(first, second):
    """Values of ``first`` also in ``second``, in order, each once."""
    wanted = set(second)
    return list(dict.fromkeys(value for value in first if value in wanted))
