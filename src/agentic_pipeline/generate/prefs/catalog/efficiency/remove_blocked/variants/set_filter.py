def without_blocked(values, blocked):
    """The values not in ``blocked``, in order."""
    blocked_set = set(blocked)
    return [value for value in values if value not in blocked_set]
