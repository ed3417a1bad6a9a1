from bisect import bisect_left


def positions(sorted_values, queries):
    """Index of each query's first occurrence in ``sorted_values``, or -1."""
    result = []
    for query in queries:
        i = bisect_left(sorted_values, query)
        found = i < len(sorted_values) and sorted_values[i] == query
        result.append(i if found else -1)
    return result
