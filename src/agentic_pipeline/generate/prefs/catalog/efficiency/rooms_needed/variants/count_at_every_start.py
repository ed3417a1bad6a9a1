def rooms_needed(meetings):
    """Fewest rooms for meetings occupying [start, end)."""
    peak = 0
    for start, _ in meetings:
        # the busiest moments are meeting starts: count the meetings running then
        running = 0
        for other_start, other_end in meetings:
            if other_start <= start < other_end:
                running += 1
        peak = max(peak, running)
    return peak
