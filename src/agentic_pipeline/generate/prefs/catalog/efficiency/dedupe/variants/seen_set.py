def dedupe(items):
    """Return the values of ``items`` in order, first occurrences only."""
    seen = set()
    result = []
    for item in items:
        if item not in seen:
            seen.add(item)
            result.append(item)
    return result
