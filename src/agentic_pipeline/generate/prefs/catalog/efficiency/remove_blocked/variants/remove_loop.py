def without_blocked(values, blocked):
    """The values not in ``blocked``, in order."""
    result = list(values)
    for value in blocked:
        while value in result:
            result.remove(value)
    return result
