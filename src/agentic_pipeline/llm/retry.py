"""Retries: the SDKs' own, plus one outer layer for long outages, plus HTTP hooks shared by workers.

What the official SDKs already do right (checked in tests/test_teachers_faults.py against a real
server): every HTTP attempt that gets 408, 409, 429 or any 5xx (529 "overloaded" included), a
timeout or a dropped connection is retried ``max_retries`` times, waiting what ``retry-after`` /
``retry-after-ms`` says, else 0.5 s doubling up to 8 s. So the clients are built with ``max_retries``
and ``timeout`` and the SDK does the first line of retries.

What this module adds, and why:
- ``client_hooks``: httpx event hooks on the SDK's HTTP client. Before *every* attempt (the SDK's
  retries included) a worker waits on the shared ``PauseGate`` and the requests-per-minute bucket;
  after a 429/529 with ``retry-after`` it closes the gate for everyone, so 64 workers don't each
  discover the same rate limit.
- ``with_retries``: an outer loop for outages longer than the SDK's ~15 s of retries (a 529 storm
  of minutes): a few more attempts, exponential from ``base`` up to ``cap`` seconds, still honouring
  ``retry-after``. Errors that retrying can't fix (400, 401, 403, 404, 422) are raised at once.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anthropic
import openai

from agentic_pipeline.llm.ratelimit import RateLimiter
from agentic_pipeline.llm.secrets import redact

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRYABLE_STATUS = frozenset({408, 409, 429}) | frozenset(range(500, 600))
PAUSING_STATUS = frozenset({429, 529})
_STATUS_ERRORS = (anthropic.APIStatusError, openai.APIStatusError)
_CONNECTION_ERRORS = (anthropic.APIConnectionError, openai.APIConnectionError)  # timeouts are a subclass


def retry_after_seconds(headers: Any) -> float | None:
    """``retry-after-ms`` or ``retry-after`` (seconds) from response headers, if present and sane."""
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 1e-3), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) * scale
        except ValueError:
            continue
        if 0 <= seconds <= 3600:
            return seconds
    return None


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, _STATUS_ERRORS):
        return exc.status_code in RETRYABLE_STATUS
    return isinstance(exc, _CONNECTION_ERRORS)


@dataclass
class AttemptStats:
    """What the hooks saw, per HTTP status: the evidence that faults happened and were retried."""

    attempts: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    outer_retries: int = 0


def client_hooks(
    limiter: RateLimiter, stats: AttemptStats
) -> dict[str, list[Callable[..., Awaitable[None]]]]:
    """``event_hooks`` for the SDK's ``httpx`` client: gate + RPM before, shared pause after."""

    async def before(request: Any) -> None:
        await limiter.before_attempt()
        stats.attempts += 1

    async def after(response: Any) -> None:
        stats.statuses[response.status_code] += 1
        if response.status_code in PAUSING_STATUS:
            limiter.gate.pause(retry_after_seconds(response.headers) or 0.0)

    return {"request": [before], "response": [after]}


@dataclass
class RetryPolicy:
    """The outer layer; the SDK's ``max_retries`` happen inside each of these attempts."""

    attempts: int = 3
    base: float = 15.0
    cap: float = 120.0

    def delay(self, attempt: int, exc: BaseException) -> float:
        response = getattr(exc, "response", None)
        hinted = retry_after_seconds(getattr(response, "headers", None))
        if hinted is not None:
            return hinted
        return min(self.cap, self.base * 2**attempt) * random.uniform(0.75, 1.0)  # noqa: S311 - jitter


async def with_retries(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    limiter: RateLimiter | None = None,
    stats: AttemptStats | None = None,
) -> T:
    """``await call()``, retrying retryable API errors ``policy.attempts - 1`` more times."""
    for attempt in range(policy.attempts):
        try:
            return await call()
        except Exception as exc:
            if not is_retryable(exc) or attempt == policy.attempts - 1:
                raise
            delay = policy.delay(attempt, exc)
            if limiter is not None and getattr(exc, "status_code", None) in PAUSING_STATUS:
                limiter.gate.pause(delay)
            if stats is not None:
                stats.outer_retries += 1
            log.warning("model call failed (%s), retry in %.1f s", redact(str(exc))[:300], delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable: the last attempt returns or raises")
