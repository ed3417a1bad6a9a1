import pytest

from cachekit.lru import CacheStats, LRUCache, memoize


def test_stats_value_object():
    assert CacheStats() == CacheStats(0, 0, 0)
    assert CacheStats(1, 2, 3) != CacheStats(1, 2, 4)
    assert CacheStats(1, 2, 3) != (1, 2, 3)
    assert repr(CacheStats(1, 2, 3)) == "CacheStats(hits=1, misses=2, evictions=3)"


def test_hit_rate():
    assert CacheStats().hit_rate == 0.0
    assert CacheStats(hits=3, misses=1).hit_rate == 0.75
    assert CacheStats(hits=0, misses=4).hit_rate == 0.0


def test_capacity_must_be_positive():
    with pytest.raises(ValueError):
        LRUCache(0)
    assert LRUCache(1).capacity == 1


def test_get_and_put():
    cache = LRUCache(2)
    assert cache.put("a", 1) is None
    assert cache.get("a") == 1
    assert cache.get("b") is None
    assert cache.get("b", "dflt") == "dflt"
    assert cache.stats == CacheStats(hits=1, misses=2)


def test_stored_none_and_falsy_values_are_hits():
    cache = LRUCache(2)
    cache.put("n", None)
    cache.put("z", 0)
    assert cache.get("n", "dflt") is None
    assert cache.get("z", "dflt") == 0
    assert cache.stats.hits == 2


def test_evicts_least_recently_used():
    cache = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.get("a")
    assert cache.put("c", 3) == "b"
    assert cache.keys() == ["a", "c"]
    assert "b" not in cache
    assert len(cache) == 2
    assert cache.stats.evictions == 1


def test_put_existing_key_updates_and_refreshes():
    cache = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.put("a", 10) is None
    assert cache.put("c", 3) == "b"
    assert cache.get("a") == 10
    assert cache.stats.evictions == 1


def test_contains_does_not_refresh():
    cache = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert "a" in cache
    assert cache.put("c", 3) == "a"


def test_delete():
    cache = LRUCache(3)
    cache.put("a", None)
    assert cache.delete("a") is True
    assert cache.delete("a") is False
    assert len(cache) == 0


def test_resize():
    cache = LRUCache(4)
    for key in "abcd":
        cache.put(key, key.upper())
    cache.get("a")
    assert cache.resize(2) == ["b", "c"]
    assert cache.keys() == ["d", "a"]
    assert cache.capacity == 2
    assert cache.stats.evictions == 2
    assert cache.resize(5) == []
    assert cache.resize(1) == ["d"]
    with pytest.raises(ValueError):
        cache.resize(0)


def test_memoize_calls_once_per_arguments():
    calls = []

    @memoize(capacity=2)
    def square(x, power=2):
        calls.append((x, power))
        return x**power

    assert square(3) == 9
    assert square(3) == 9
    assert square(3, power=3) == 27
    assert square(2) == 4
    assert calls == [(3, 2), (3, 3), (2, 2)]
    assert square(3) == 9  # evicted by the two calls since
    assert len(calls) == 4
    assert square.cache.stats == CacheStats(hits=1, misses=4, evictions=2)
    assert square.__name__ == "square"


def test_memoize_keyword_order_does_not_matter():
    calls = []

    @memoize()
    def join(a, b=1, c=2):
        calls.append(1)
        return (a, b, c)

    assert join(0, b=5, c=6) == join(0, c=6, b=5)
    assert len(calls) == 1
    assert join.cache.capacity == 128


def test_memoize_caches_none_results():
    calls = []

    @memoize(capacity=4)
    def nothing(x):
        calls.append(x)

    nothing(1)
    nothing(1)
    assert calls == [1]
