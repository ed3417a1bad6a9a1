def cache_misses(requests, capacity):
    """Misses of a least-recently-used cache of ``capacity`` keys replaying ``requests``."""
    recency = []  # least recently used first
    misses = 0
    for key in requests:
        if key in recency:
            recency.remove(key)
        else:
            misses += 1
            if len(recency) >= capacity:
                recency.pop(0)
        recency.append(key)
    return misses
