def merge_ranges(ranges):
    """Overlapping or touching (start, end) ranges merged, sorted by start."""
    merged = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            # sorted by start: a range can only extend the last merged one
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
