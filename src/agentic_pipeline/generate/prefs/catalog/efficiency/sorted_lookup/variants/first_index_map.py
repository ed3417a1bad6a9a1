def positions(sorted_values, queries):
    """Index of each query's first occurrence in ``sorted_values``, or -1."""
    first = {}
    for i, value in enumerate(sorted_values):
        first.setdefault(value, i)
    return [first.get(query, -1) for query in queries]
