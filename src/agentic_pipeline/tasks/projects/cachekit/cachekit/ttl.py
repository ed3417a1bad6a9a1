"""A cache whose entries expire `ttl` seconds after they are written, on an injected clock."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from cachekit.lru import CacheStats


class TTLCache:
    """Entries live for `ttl` seconds; `clock` returns the current time in seconds."""

    def __init__(self, ttl: float, clock: Callable[[], float], max_entries: int | None = None) -> None:
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        self.ttl = ttl
        self.clock = clock
        self.max_entries = max_entries
        self._data: dict[Hashable, tuple[float, Any]] = {}
        self.stats = CacheStats()

    def put(self, key: Hashable, value: Any, ttl: float | None = None) -> None:
        """Store `value`, expiring after `ttl` seconds (the cache's default when None)."""
        lifetime = self.ttl if ttl is None else ttl
        if key not in self._data and self.max_entries is not None and len(self._data) >= self.max_entries:
            self.purge()
            if len(self._data) >= self.max_entries:
                oldest = min(self._data, key=lambda k: self._data[k][0])
                del self._data[oldest]
                self.stats.evictions += 1
        self._data[key] = (self.clock() + lifetime, value)

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The live value for `key`, or `default` when absent or expired (an expired entry is dropped)."""
        entry = self._data.get(key)
        if entry is None:
            self.stats.misses += 1
            return default
        expires_at, value = entry
        if self.clock() >= expires_at:
            del self._data[key]
            self.stats.misses += 1
            return default
        self.stats.hits += 1
        return value

    def remaining(self, key: Hashable) -> float:
        """Seconds until `key` expires; 0.0 when absent or expired."""
        entry = self._data.get(key)
        if entry is None:
            return 0.0
        return max(0.0, entry[0] - self.clock())

    def purge(self) -> int:
        """Drop every expired entry; return how many were dropped."""
        now = self.clock()
        expired = [key for key, (expires_at, _) in self._data.items() if now >= expires_at]
        for key in expired:
            del self._data[key]
        return len(expired)

    def __len__(self) -> int:
        """Entries stored, expired ones not yet purged included."""
        return len(self._data)
