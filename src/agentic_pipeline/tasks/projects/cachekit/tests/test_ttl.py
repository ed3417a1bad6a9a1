import pytest

from cachekit.lru import CacheStats
from cachekit.ttl import TTLCache


class FakeClock:
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


def test_ttl_must_be_positive(clock):
    with pytest.raises(ValueError):
        TTLCache(0, clock)
    assert TTLCache(0.5, clock).ttl == 0.5


def test_entry_expires_exactly_at_ttl(clock):
    cache = TTLCache(10, clock)
    cache.put("k", "v")
    clock.advance(9.999)
    assert cache.get("k") == "v"
    clock.advance(0.001)
    assert cache.get("k") is None
    assert len(cache) == 0
    assert cache.stats == CacheStats(hits=1, misses=1)


def test_per_entry_ttl(clock):
    cache = TTLCache(10, clock)
    cache.put("short", 1, ttl=2)
    cache.put("long", 2)
    clock.advance(5)
    assert cache.get("short", "gone") == "gone"
    assert cache.get("long") == 2
    assert cache.get("never") is None
    assert cache.stats == CacheStats(hits=1, misses=2)


def test_overwrite_restarts_lifetime(clock):
    cache = TTLCache(10, clock)
    cache.put("k", 1)
    clock.advance(8)
    cache.put("k", 2)
    clock.advance(8)
    assert cache.get("k") == 2


def test_remaining(clock):
    cache = TTLCache(10, clock)
    cache.put("k", 1)
    clock.advance(4)
    assert cache.remaining("k") == 6
    clock.advance(7)
    assert cache.remaining("k") == 0.0
    assert cache.remaining("missing") == 0.0


def test_purge_drops_only_expired(clock):
    cache = TTLCache(10, clock)
    cache.put("a", 1, ttl=1)
    cache.put("b", 2, ttl=5)
    cache.put("c", 3, ttl=20)
    clock.advance(5)
    assert len(cache) == 3
    assert cache.purge() == 2
    assert len(cache) == 1
    assert cache.get("c") == 3
    assert cache.purge() == 0


def test_max_entries_evicts_soonest_to_expire(clock):
    cache = TTLCache(10, clock, max_entries=2)
    cache.put("a", 1, ttl=30)
    cache.put("b", 2, ttl=5)
    cache.put("c", 3)
    assert cache.get("b") is None
    assert cache.get("a") == 1
    assert cache.get("c") == 3
    assert cache.stats.evictions == 1


def test_max_entries_purges_expired_first(clock):
    cache = TTLCache(10, clock, max_entries=2)
    cache.put("a", 1, ttl=30)
    cache.put("b", 2, ttl=1)
    clock.advance(2)
    cache.put("c", 3)
    assert cache.stats.evictions == 0
    assert cache.get("a") == 1


def test_max_entries_update_in_place(clock):
    cache = TTLCache(10, clock, max_entries=2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 10)
    assert len(cache) == 2
    assert cache.get("b") == 2
    assert cache.stats.evictions == 0
