"""An OpenAI-compatible teacher through the official ``openai`` SDK: chat completions with tools.

Works against any compatible base URL: OpenAI itself, vLLM, SGLang, Ollama (``OPENAI_BASE_URL`` or
``--base-url``; local servers take any ``OPENAI_API_KEY``, ``EMPTY`` is used when none is set).
Records already are this format, so requests need little conversion: tool-call ``arguments`` go
back as JSON strings. Every call in a response is checked: arguments that are not JSON, a tool the
task doesn't have, or arguments failing the tool's JSON Schema become a ``MalformedCall`` for the
loop to answer with an error observation; the model's raw call is kept so that the next request
shows it exactly as emitted.

Usage: ``prompt_tokens`` includes cached tokens; the ledger's ``input_tokens`` are the uncached
part and ``cache_read_input_tokens`` the ``prompt_tokens_details.cached_tokens``.
"""

from __future__ import annotations

import itertools
import json
import os
from typing import Any

import openai

from agentic_pipeline.llm.client import (
    ClientSettings,
    TurnCache,
    answered_ids,
    check_arguments,
    estimate_tokens,
    metered_call,
    tool_index,
)
from agentic_pipeline.llm.retry import client_hooks
from agentic_pipeline.llm.usage import Usage
from agentic_pipeline.policies.base import MalformedCall, PolicyResponse


def to_openai_messages(
    messages: list[dict[str, Any]], cache: TurnCache | None = None
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        role = message["role"]
        if role == "assistant":
            cached = cache.get(answered_ids(messages, index)) if cache else None
            out.append(cached or _assistant(message))
        elif role == "tool":
            out.append(
                {
                    "role": "tool",
                    "tool_call_id": message["tool_call_id"],
                    "content": message.get("content") or "",
                }
            )
        else:
            out.append({"role": role, "content": message.get("content") or ""})
    return out


def _assistant(message: dict[str, Any]) -> dict[str, Any]:
    turn: dict[str, Any] = {"role": "assistant", "content": message.get("content")}
    if message.get("tool_calls"):
        turn["tool_calls"] = [
            {
                "id": call["id"],
                "type": "function",
                "function": {
                    "name": call["function"]["name"],
                    "arguments": json.dumps(call["function"]["arguments"]),
                },
            }
            for call in message["tool_calls"]
        ]
    return turn


def _usage(response: Any) -> tuple[Usage, str | None]:
    usage = response.usage
    if usage is None:  # some compatible servers omit it; the ledger then counts the request only
        return Usage(requests=1), response.id
    details = getattr(usage, "prompt_tokens_details", None)
    cached = (getattr(details, "cached_tokens", 0) or 0) if details else 0
    return (
        Usage(
            requests=1,
            input_tokens=(usage.prompt_tokens or 0) - cached,
            output_tokens=usage.completion_tokens or 0,
            cache_read_input_tokens=cached,
        ),
        response.id,
    )


def _parse_call(
    call: Any, tool_defs: dict[str, dict[str, Any]]
) -> tuple[dict[str, Any] | None, MalformedCall | None]:
    name, raw = call.function.name, call.function.arguments or ""
    try:
        arguments = json.loads(raw) if raw.strip() else {}
    except json.JSONDecodeError as exc:
        return None, MalformedCall(
            call.id, name, raw, f"arguments of {name} are not valid JSON: {exc.msg} at char {exc.pos}"
        )
    reason = check_arguments(tool_defs, name, arguments)
    if reason is not None:
        return None, MalformedCall(call.id, name, raw, reason)
    return {"id": call.id, "type": "function", "function": {"name": name, "arguments": arguments}}, None


class OpenAIPolicy:
    """``openai:MODEL``: one chat completion per step."""

    def __init__(self, model: str, settings: ClientSettings | None = None) -> None:
        self.model = model
        self.name = f"openai:{model}"
        self.settings = settings or ClientSettings()
        self.turns = TurnCache()
        kwargs = self.settings.sdk_kwargs()
        if "api_key" not in kwargs and not os.environ.get("OPENAI_API_KEY"):
            kwargs["api_key"] = "EMPTY"  # vLLM / SGLang / Ollama accept any key
        hooks = client_hooks(self.settings.limiter, self.settings.stats)
        self.clients = [
            openai.AsyncOpenAI(http_client=openai.DefaultAsyncHttpxClient(event_hooks=hooks), **kwargs)
            for _ in range(self.settings.client_count())
        ]
        self.client = self.clients[0]
        self._next_client = itertools.cycle(self.clients)
        # OpenAI's own reasoning models refuse ``max_tokens``; compatible servers may not know the new name.
        official = "api.openai.com" in str(self.client.base_url)
        self._max_tokens_field = "max_completion_tokens" if official else "max_tokens"

    def request(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self.model,
            "messages": to_openai_messages(messages, self.turns),
            self._max_tokens_field: self.settings.max_tokens,
        }
        if tools:
            params["tools"] = [{"type": "function", "function": tool["function"]} for tool in tools]
        if self.settings.temperature is not None:
            params["temperature"] = self.settings.temperature
        return params

    async def act(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]], task: Any = None
    ) -> PolicyResponse:
        params = self.request(messages, tools)
        response, usage = await metered_call(
            self.settings,
            self.model,
            lambda client=next(self._next_client): client.chat.completions.create(**params),
            _usage,
            estimate_tokens(params),
            task,
        )
        return self._to_record(response, tool_index(tools), usage)

    def _to_record(self, response: Any, tool_defs: dict[str, dict[str, Any]], usage: Usage) -> PolicyResponse:
        choice = response.choices[0].message
        calls, malformed = [], []
        for call in choice.tool_calls or []:
            parsed, bad = _parse_call(call, tool_defs)
            calls += [parsed] if parsed else []
            malformed += [bad] if bad else []
        message: dict[str, Any] = {"role": "assistant", "content": (choice.content or "").strip() or None}
        if calls:
            message["tool_calls"] = calls
        reasoning = getattr(choice, "reasoning_content", None)  # vLLM / SGLang reasoning parsers
        if reasoning:
            message["reasoning"] = reasoning
        if choice.tool_calls:
            raw = {
                "role": "assistant",
                "content": choice.content,
                "tool_calls": [
                    {
                        "id": c.id,
                        "type": "function",
                        "function": {"name": c.function.name, "arguments": c.function.arguments},
                    }
                    for c in choice.tool_calls
                ],
            }
            self.turns.put([c.id for c in choice.tool_calls], raw)
        return PolicyResponse(message=message, usage=usage, malformed=malformed)
