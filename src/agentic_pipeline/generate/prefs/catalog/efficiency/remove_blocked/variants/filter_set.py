def without_blocked(values, blocked):
    """The values not in ``blocked``, in order."""
    blocked_set = frozenset(blocked)
    return list(filter(lambda value: value not in blocked_set, values))
