def has_duplicates(values):
    """True when some value occurs more than once."""
    ordered = sorted(values)
    return any(a == b for a, b in zip(ordered, ordered[1:]))
