def longest_distinct_streak(events):
    """Length of the longest run of consecutive events with no repeated id."""
    last_seen = {}
    best = start = 0
    for i, event in enumerate(events):
        # a repeat inside the current run moves its start just past the earlier occurrence
        if last_seen.get(event, -1) >= start:
            start = last_seen[event] + 1
        last_seen[event] = i
        best = max(best, i - start + 1)
    return best
