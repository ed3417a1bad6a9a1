"""Client-side limits shared by every concurrent episode: requests, input and output tokens per minute.

Each limit is a token bucket refilled continuously at ``limit / 60`` per second, holding at most one
minute's worth (the shape the providers' own limiters have). Tokens are taken before a request from
an estimate and settled after it from the usage the server reported; a bucket may go negative, and
then the next request waits until it has refilled. Waiters are served first come, first served.

``PauseGate`` is the other shared piece: when any request gets 429 (or 529) with ``retry-after``, every
worker holds new requests until that moment instead of each finding out with its own 429.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


class TokenBucket:
    """``per_minute`` units per minute; ``take`` waits until the bucket can cover the amount."""

    def __init__(self, per_minute: float) -> None:
        self.capacity = float(per_minute)
        self.rate = self.capacity / 60.0
        self.level = self.capacity
        self._stamp = time.monotonic()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = time.monotonic()
        self.level = min(self.capacity, self.level + (now - self._stamp) * self.rate)
        self._stamp = now

    async def take(self, amount: float) -> None:
        # A request bigger than a minute's budget can never be covered: wait for a full bucket instead.
        need = min(float(amount), self.capacity)
        async with self._lock:
            self._refill()
            while self.level < need:
                await asyncio.sleep((need - self.level) / self.rate)
                self._refill()
            self.level -= amount

    def give_back(self, amount: float) -> None:
        """Credit (positive) or debit (negative) after the true size is known."""
        self._refill()
        self.level = min(self.capacity, self.level + amount)


class PauseGate:
    """A moment before which no worker sends a request."""

    def __init__(self) -> None:
        self.until = 0.0
        self.pauses = 0

    def pause(self, seconds: float) -> None:
        if seconds > 0:
            self.pauses += 1
            self.until = max(self.until, time.monotonic() + seconds)

    async def wait(self) -> None:
        while (delay := self.until - time.monotonic()) > 0:
            await asyncio.sleep(delay)


@dataclass
class RateLimiter:
    """Requests / input tokens / output tokens per minute, and requests in flight; ``None``: no limit.

    ``max_concurrent`` bounds model requests in flight, not episodes: an episode holds a slot only
    while its request is out, so while it runs tools another episode's request can use the slot,
    and a run keeps ``max_concurrent`` requests busy with more episodes than that in flight.
    """

    rpm: float | None = None
    itpm: float | None = None
    otpm: float | None = None
    max_concurrent: int | None = None
    gate: PauseGate = field(default_factory=PauseGate)

    def __post_init__(self) -> None:
        self._requests = TokenBucket(self.rpm) if self.rpm else None
        self._input = TokenBucket(self.itpm) if self.itpm else None
        self._output = TokenBucket(self.otpm) if self.otpm else None
        self._slots = asyncio.Semaphore(self.max_concurrent) if self.max_concurrent else None

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Held for the duration of one model call (the SDK's own retries included)."""
        if self._slots is None:
            yield
            return
        async with self._slots:
            yield

    async def before_attempt(self) -> None:
        """Every HTTP attempt, retries included (the server counts them): wait for the gate and a slot."""
        await self.gate.wait()
        if self._requests:
            await self._requests.take(1)

    async def reserve(self, input_tokens: int, output_tokens: int) -> None:
        """Before a model call: the estimated prompt size and the expected output size."""
        if self._input:
            await self._input.take(input_tokens)
        if self._output:
            await self._output.take(output_tokens)

    def settle(self, reserved_in: int, used_in: int, reserved_out: int, used_out: int) -> None:
        """After the call: correct the reservation with what the server reported."""
        if self._input:
            self._input.give_back(reserved_in - used_in)
        if self._output:
            self._output.give_back(reserved_out - used_out)
