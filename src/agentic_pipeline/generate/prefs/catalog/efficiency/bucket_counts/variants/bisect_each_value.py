from bisect import bisect_right


def bucket_counts(values, edges):
    """Counts per bucket [edges[i], edges[i + 1]), found by binary search."""
    counts = [0] * (len(edges) - 1)
    for value in values:
        bucket = bisect_right(edges, value) - 1
        if 0 <= bucket < len(counts):
            counts[bucket] += 1
    return counts
