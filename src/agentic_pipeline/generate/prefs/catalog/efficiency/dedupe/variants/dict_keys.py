def dedupe(items):
    """Return the values of ``items`` in order, first occurrences only."""
    # dicts keep insertion order, so the keys are the first occurrences in order
    return list(dict.fromkeys(items))
