def bucket_counts(values, edges):
    """Counts per bucket [edges[i], edges[i + 1]): sort the values, then walk values and edges together."""
    counts = [0] * (len(edges) - 1)
    bucket = 0
    for value in sorted(values):
        if value < edges[0]:
            continue
        while bucket < len(counts) and value >= edges[bucket + 1]:
            bucket += 1
        if bucket == len(counts):
            break  # every remaining value is past the last edge
        counts[bucket] += 1
    return counts
