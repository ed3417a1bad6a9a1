def cache_misses(requests, capacity):
    """Misses of a least-recently-used cache of ``capacity`` keys replaying ``requests``."""
    cache = {}  # dicts keep insertion order: the first key is the least recently used
    misses = 0
    for key in requests:
        if key in cache:
            del cache[key]  # re-inserted below, which makes it the most recent
        else:
            misses += 1
            if len(cache) >= capacity:
                del cache[next(iter(cache))]
        cache[key] = None
    return misses
