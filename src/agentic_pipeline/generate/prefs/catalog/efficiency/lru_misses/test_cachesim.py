from cachesim import cache_misses


def test_hits_refresh_recency():
    # after a, b, a the least recently used key is b, so c evicts b and the final a hits
    assert cache_misses(["a", "b", "a", "c", "a"], 2) == 3


def test_eviction_order():
    assert cache_misses(["a", "b", "c", "a"], 2) == 4


def test_capacity_one_and_repeats():
    assert cache_misses([1, 1, 2, 2, 1], 1) == 3


def test_no_requests():
    assert cache_misses([], 3) == 0
