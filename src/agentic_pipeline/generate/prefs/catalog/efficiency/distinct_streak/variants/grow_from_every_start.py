def longest_distinct_streak(events):
    """Length of the longest run of consecutive events with no repeated id."""
    best = 0
    for start in range(len(events)):
        seen = set()
        for event in events[start:]:
            if event in seen:
                break
            seen.add(event)
        best = max(best, len(seen))
    return best
