"""What the LLM policies share: settings, one metered model call, tool-argument checks.

``metered_call`` is the path of every request: reserve tokens with the rate limiter, call the SDK
under the outer retry layer, settle the limiter with the reported usage, and write the usage to the
ledger under the current episode (set by the runner with ``episode_scope``). Recording happens here,
once per successful request, so the ledger holds exactly the usage the server reported.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

import jsonschema

from agentic_pipeline.llm.ledger import Ledger
from agentic_pipeline.llm.ratelimit import RateLimiter
from agentic_pipeline.llm.retry import AttemptStats, RetryPolicy, with_retries
from agentic_pipeline.llm.secrets import redact
from agentic_pipeline.llm.usage import Usage

T = TypeVar("T")

current_episode: ContextVar[str | None] = ContextVar("current_episode", default=None)
CHARS_PER_TOKEN = 4  # a rough prompt-size estimate for the limiter; the server's count settles it
CONNECTIONS_PER_CLIENT = 8


@contextmanager
def episode_scope(episode_id: str) -> Iterator[None]:
    """Requests made inside (in this asyncio task) are booked to ``episode_id`` in the ledger."""
    token = current_episode.set(episode_id)
    try:
        yield
    finally:
        current_episode.reset(token)


@dataclass
class ClientSettings:
    """How an LLM policy reaches its server. ``None`` fields fall back to the SDK's defaults / env vars."""

    base_url: str | None = None
    api_key: str | None = None
    timeout: float | None = None
    max_retries: int = 4
    max_tokens: int = 4096
    temperature: float | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    limiter: RateLimiter = field(default_factory=RateLimiter)
    stats: AttemptStats = field(default_factory=AttemptStats)
    ledger: Ledger | None = None
    http_clients: int | None = None

    def client_count(self) -> int:
        """How many SDK clients (each its own connection pool) to spread requests over.

        httpcore scans its whole pool for every request, so one pool of 64 busy connections costs
        the event loop more than the requests themselves; 8 connections per pool keeps that small.
        """
        if self.http_clients:
            return self.http_clients
        return max(1, -(-(self.limiter.max_concurrent or 32) // CONNECTIONS_PER_CLIENT))

    def sdk_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"max_retries": self.max_retries}
        if self.base_url:
            kwargs["base_url"] = self.base_url
        if self.api_key:
            kwargs["api_key"] = self.api_key
        if self.timeout is not None:
            kwargs["timeout"] = self.timeout
        return kwargs


def estimate_tokens(payload: Any) -> int:
    return len(json.dumps(payload, default=str)) // CHARS_PER_TOKEN + 1


async def metered_call(
    settings: ClientSettings,
    model: str,
    send: Callable[[], Awaitable[T]],
    usage_of: Callable[[T], tuple[Usage, str | None]],
    estimated_input: int,
    task: Any = None,
) -> tuple[T, Usage]:
    """One model request through limiter, retries and ledger; returns the response and its usage."""
    limiter = settings.limiter
    await limiter.reserve(estimated_input, settings.max_tokens)

    async def in_slot() -> T:  # the slot is free again while the outer layer waits to retry
        async with limiter.slot():
            return await send()

    response: T | None = None
    usage = Usage()
    try:
        response = await with_retries(in_slot, settings.retry, limiter, settings.stats)
        usage, request_id = usage_of(response)
    except Exception as exc:
        # The loop records the error text in the episode's record: no key may ride along in it.
        scrubbed(exc)
        raise
    finally:
        limiter.settle(
            estimated_input,
            usage.input_tokens + usage.cache_creation_input_tokens,
            settings.max_tokens,
            usage.output_tokens,
        )
    if settings.ledger is not None:
        episode = current_episode.get() or getattr(task, "id", None)
        settings.ledger.record(model, usage, episode_id=episode, request_id=request_id)
    return response, usage


def scrubbed(exc: Exception) -> Exception:
    """``exc`` with every key-looking string masked in its message (same type, same attributes)."""
    text = redact(str(exc))
    if text != str(exc):
        exc.args = (text,)
        if hasattr(exc, "message"):
            exc.message = text
        if getattr(exc, "body", None) is not None:
            exc.body = redact(str(exc.body))
    return exc


@lru_cache(maxsize=256)
def _validator(schema_json: str) -> jsonschema.Draft202012Validator:
    # Every step of every episode checks against the same few schemas: build each validator once.
    return jsonschema.Draft202012Validator(json.loads(schema_json))


def check_arguments(tool_defs: dict[str, dict[str, Any]], name: str, arguments: Any) -> str | None:
    """Why a call can't run as emitted (unknown tool, not an object, schema failure), else None."""
    if name not in tool_defs:
        return f"unknown tool {name!r}; available: {', '.join(sorted(tool_defs))}"
    if not isinstance(arguments, dict):
        return f"arguments of {name} must be a JSON object, got {type(arguments).__name__}"
    schema = tool_defs[name].get("parameters") or {"type": "object"}
    error = jsonschema.exceptions.best_match(
        _validator(json.dumps(schema, sort_keys=True)).iter_errors(arguments)
    )
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "arguments"
        return f"arguments of {name} fail its schema at {where}: {error.message}"
    return None


def tool_index(tools: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Record-format tool list -> name -> function definition."""
    return {tool["function"]["name"]: tool["function"] for tool in tools}


class TurnCache:
    """The model's own assistant turns, keyed by each tool call id in them, bounded.

    Record messages keep only what training needs; the API needs more on the next request: the
    thinking blocks with their signatures, and calls that were malformed (their error observation
    answers an id the record's ``tool_calls`` doesn't have). The policy sends the cached turn back.
    """

    def __init__(self, limit: int = 20_000) -> None:
        self._turns: OrderedDict[str, Any] = OrderedDict()
        self.limit = limit

    def put(self, call_ids: list[str], turn: Any) -> None:
        for call_id in call_ids:
            self._turns[call_id] = turn
            self._turns.move_to_end(call_id)
        while len(self._turns) > self.limit:
            self._turns.popitem(last=False)

    def get(self, call_ids: list[str]) -> Any | None:
        for call_id in call_ids:
            if call_id in self._turns:
                return self._turns[call_id]
        return None


def answered_ids(messages: list[dict[str, Any]], index: int) -> list[str]:
    """Ids of the assistant message at ``index``: its tool calls and the tool messages right after it."""
    ids = [call["id"] for call in messages[index].get("tool_calls") or []]
    for message in messages[index + 1 :]:
        if message.get("role") != "tool":
            break
        if message.get("tool_call_id"):
            ids.append(message["tool_call_id"])
    return ids


def settings_from(
    base_url: str | None = None,
    rpm: float | None = None,
    itpm: float | None = None,
    otpm: float | None = None,
    concurrency: int | None = None,
    limiter: RateLimiter | None = None,
    **fields: Any,
) -> ClientSettings:
    """ClientSettings from CLI-style options (``--rpm/--itpm/--otpm/--concurrency`` build the limiter)."""
    limiter = limiter or RateLimiter(rpm, itpm, otpm, max_concurrent=concurrency)
    return ClientSettings(base_url=base_url, limiter=limiter, **fields)
