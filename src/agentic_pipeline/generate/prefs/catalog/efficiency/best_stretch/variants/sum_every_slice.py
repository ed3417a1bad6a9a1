def best_stretch(changes):
    """Largest sum of a non-empty run of consecutive values."""
    if not changes:
        raise ValueError("no changes")
    best = changes[0]
    for start in range(len(changes)):
        for end in range(start + 1, len(changes) + 1):
            best = max(best, sum(changes[start:end]))
    return best
