def best_stretch(changes):
    """Largest sum of a non-empty run of consecutive values."""
    if not changes:
        raise ValueError("no changes")
    best = changes[0]
    for start in range(len(changes)):
        total = 0
        for end in range(start, len(changes)):
            total += changes[end]
            best = max(best, total)
    return best
