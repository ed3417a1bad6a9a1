def rooms_needed(meetings):
    """Fewest rooms for meetings occupying [start, end): the peak of a sweep over start/end events."""
    # at equal times an end (-1) sorts before a start (+1), so back-to-back meetings share a room
    events = sorted([(start, 1) for start, _ in meetings] + [(end, -1) for _, end in meetings])
    busy = peak = 0
    for _, change in events:
        busy += change
        peak = max(peak, busy)
    return peak
