def dedupe(items):
    """Return the values of ``items`` in order, first occurrences only."""
    result = []
    for i in range(len(items)):
        if items[:i].count(items[i]) == 0:
            result.append(items[i])
    return result
