def merge_ranges(ranges):
    """Overlapping or touching (start, end) ranges merged, sorted by start."""
    merged = []
    for start, end in ranges:
        keep = []
        for other_start, other_end in merged:
            if other_start <= end and start <= other_end:
                start, end = min(start, other_start), max(end, other_end)
            else:
                keep.append((other_start, other_end))
        keep.append((start, end))
        merged = keep
    return sorted(merged)
