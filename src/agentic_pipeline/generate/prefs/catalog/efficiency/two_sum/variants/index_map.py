def two_sum(numbers, target):
    """Indices (i, j), i < j, of two values adding up to ``target``; smallest j first."""
    first_index = {}
    for j, value in enumerate(numbers):
        i = first_index.get(target - value)
        if i is not None:
            return (i, j)
        first_index.setdefault(value, j)
    return None
