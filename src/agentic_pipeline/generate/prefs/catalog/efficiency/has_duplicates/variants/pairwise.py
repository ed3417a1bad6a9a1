def has_duplicates(values):
    """True when some value occurs more than once."""
    for i in range(len(values)):
        for j in range(i + 1, len(values)):
            if values[i] == values[j]:
                return True
    return False
