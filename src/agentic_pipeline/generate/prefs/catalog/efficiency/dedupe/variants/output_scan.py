def dedupe(items):
    """Return the values of ``items`` in order, first occurrences only."""
    result = []
    for item in items:
        if item not in result:
            result.append(item)
    return result
