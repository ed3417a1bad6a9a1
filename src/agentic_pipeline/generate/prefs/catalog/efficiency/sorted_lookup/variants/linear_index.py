def positions(sorted_values, queries):
    """Index of each query's first occurrence in ``sorted_values``, or -1."""
    result = []
    for query in queries:
        if query in sorted_values:
            result.append(sorted_values.index(query))
        else:
            result.append(-1)
    return result
