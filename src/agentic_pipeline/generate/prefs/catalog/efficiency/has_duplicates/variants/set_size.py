def has_duplicates(values):
    """True when some value occurs more than once."""
    return len(set(values)) != len(values)
