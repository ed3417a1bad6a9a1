"""Limiters that decide whether a request may go now, on a clock passed in (seconds, monotonic)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable


class TokenBucket:
    """Holds up to `capacity` tokens, refilled continuously at `rate` tokens per second."""

    def __init__(self, rate: float, capacity: float, clock: Callable[[], float]) -> None:
        if rate <= 0 or capacity <= 0:
            raise ValueError("rate and capacity must be positive")
        self.rate = rate
        self.capacity = capacity
        self.clock = clock
        self.tokens = capacity
        self.updated = clock()

    def try_acquire(self, cost: float = 1) -> bool:
        """Take `cost` tokens if there are enough; return whether they were taken."""
        if cost > self.capacity:
            raise ValueError(f"cost {cost} exceeds capacity {self.capacity}")
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= cost:
            self.tokens -= cost
            return True
        return False

    def wait_time(self, cost: float = 1) -> float:
        """Seconds until `cost` tokens will be available (0.0 if they are now)."""
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        missing = cost - self.tokens
        return max(0.0, missing / self.rate)


class SlidingWindowLog:
    """At most `limit` requests in any window of `window` seconds (timestamps kept in a log)."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float]) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window positive")
        self.limit = limit
        self.window = window
        self.clock = clock
        self.log: deque[float] = deque()

    def _expire(self, now: float) -> None:
        """Forget requests that left the window (a request exactly `window` ago has left)."""
        while self.log and self.log[0] <= now - self.window:
            self.log.popleft()

    def try_acquire(self) -> bool:
        now = self.clock()
        self._expire(now)
        if len(self.log) < self.limit:
            self.log.append(now)
            return True
        return False

    def remaining(self) -> int:
        """Requests still allowed right now."""
        self._expire(self.clock())
        return self.limit - len(self.log)

    def retry_after(self) -> float:
        """Seconds until the next request would be allowed."""
        now = self.clock()
        self._expire(now)
        if len(self.log) < self.limit:
            return 0.0
        return self.log[0] + self.window - now


class KeyedLimiter:
    """One limiter per key (a user, an IP), created on first use by `factory`; idle ones can be pruned."""

    def __init__(self, factory: Callable[[], SlidingWindowLog | TokenBucket]) -> None:
        self.factory = factory
        self.limiters: dict[Hashable, SlidingWindowLog | TokenBucket] = {}

    def try_acquire(self, key: Hashable) -> bool:
        if key not in self.limiters:
            self.limiters[key] = self.factory()
        return self.limiters[key].try_acquire()

    def prune(self) -> int:
        """Drop sliding-window limiters with an empty log and full token buckets; return how many."""
        idle = []
        for key, limiter in self.limiters.items():
            if isinstance(limiter, SlidingWindowLog):
                if limiter.remaining() == limiter.limit:
                    idle.append(key)
            elif limiter.wait_time(limiter.capacity) == 0:
                idle.append(key)
        for key in idle:
            del self.limiters[key]
        return len(idle)
