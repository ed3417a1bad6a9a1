"""A least-recently-used cache with a fixed capacity, hit/miss statistics and a memoizing decorator."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import wraps
from typing import Any

_MISSING = object()


class CacheStats:
    """Counters of one cache."""

    def __init__(self, hits: int = 0, misses: int = 0, evictions: int = 0) -> None:
        self.hits = hits
        self.misses = misses
        self.evictions = evictions

    def __repr__(self) -> str:
        return f"CacheStats(hits={self.hits}, misses={self.misses}, evictions={self.evictions})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CacheStats):
            return NotImplemented
        return (self.hits, self.misses, self.evictions) == (other.hits, other.misses, other.evictions)

    @property
    def hit_rate(self) -> float:
        """Share of lookups that hit, 0.0 before any lookup."""
        lookups = self.hits + self.misses
        return self.hits / lookups if lookups else 0.0


class LRUCache:
    """Maps keys to values; past `capacity` entries, the least recently used one is evicted."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self.stats = CacheStats()

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: Hashable) -> bool:
        """Membership test; does not count as a use."""
        return key in self._data

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The value for `key` (marking it most recently used), or `default`."""
        value = self._data.get(key, _MISSING)
        if value is _MISSING:
            self.stats.misses += 1
            return default
        self.stats.hits += 1
        self._data.move_to_end(key)
        return value

    def put(self, key: Hashable, value: Any) -> Hashable | None:
        """Store a value; return the key evicted to make room, if any."""
        if key in self._data:
            self._data.move_to_end(key)
            self._data[key] = value
            return None
        self._data[key] = value
        if len(self._data) > self.capacity:
            evicted, _ = self._data.popitem(last=False)
            self.stats.evictions += 1
            return evicted
        return None

    def delete(self, key: Hashable) -> bool:
        """Remove `key`; return whether it was there."""
        return self._data.pop(key, _MISSING) is not _MISSING

    def keys(self) -> list[Hashable]:
        """Keys from least to most recently used."""
        return list(self._data)

    def resize(self, capacity: int) -> list[Hashable]:
        """Change the capacity, evicting least recently used keys as needed; return them."""
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        evicted = []
        while len(self._data) > capacity:
            key, _ = self._data.popitem(last=False)
            evicted.append(key)
        self.stats.evictions += len(evicted)
        return evicted


def memoize(capacity: int = 128) -> Callable[[Callable], Callable]:
    """Decorator caching a function's results by its positional and keyword arguments."""

    def decorate(function: Callable) -> Callable:
        cache = LRUCache(capacity)

        @wraps(function)
        def wrapper(*args: Hashable, **kwargs: Hashable) -> Any:
            key = (args, tuple(sorted(kwargs.items())))
            result = cache.get(key, _MISSING)
            if result is _MISSING:
                result = function(*args, **kwargs)
                cache.put(key, result)
            return result

        wrapper.cache = cache  # type: ignore[attr-defined]
        return wrapper

    return decorate
