from collections import OrderedDict


def cache_misses(requests, capacity):
    """Misses of a least-recently-used cache of ``capacity`` keys replaying ``requests``."""
    cache = OrderedDict()
    misses = 0
    for key in requests:
        if key in cache:
            cache.move_to_end(key)
            continue
        misses += 1
        if len(cache) >= capacity:
            cache.popitem(last=False)
        cache[key] = None
    return misses
