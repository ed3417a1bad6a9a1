def best_stretch(changes):
    """Largest sum of a non-empty run of consecutive values (Kadane's scan)."""
    if not changes:
        raise ValueError("no changes")
    best = ending_here = changes[0]
    for change in changes[1:]:
        # the best run ending today either extends yesterday's or starts today
        ending_here = max(change, ending_here + change)
        best = max(best, ending_here)
    return best
