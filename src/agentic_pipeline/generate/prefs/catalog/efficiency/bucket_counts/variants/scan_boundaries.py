def bucket_counts(values, edges):
    """Counts per bucket [edges[i], edges[i + 1])."""
    counts = [0] * (len(edges) - 1)
    for value in values:
        for i in range(len(edges) - 1):
            if edges[i] <= value < edges[i + 1]:
                counts[i] += 1
                break
    return counts
