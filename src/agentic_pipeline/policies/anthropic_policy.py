"""Claude as the teacher, through the official ``anthropic`` SDK (Messages API with tool use).

Record format -> Messages API: the system message goes to ``system``; an assistant turn becomes
its text followed by ``tool_use`` blocks; tool observations become ``tool_result`` blocks in one user
turn (consecutive ones merged, as the API wants every result of a turn together).

Prompt caching: three ``cache_control`` breakpoints. The system prompt (which covers the tools,
rendered before it) is shared by every episode; the last block of the previous user turn is
exactly where the previous request ended, so its cache entry is hit; the last block of the
conversation writes the entry the next step will read. The growing prefix is paid in full once.

Thinking: ``thinking="adaptive"`` (current models; shown summarized so it can be kept), an int for
a manual extended-thinking budget (older models; newer ones refuse it), or None for the model's
default. Thinking text goes to the record's ``reasoning``; the blocks themselves, with their
signatures, are sent back on the next request exactly as received (the API requires the thinking of
the turn that made the tool calls), from the policy's turn cache. No temperature is ever sent
(the pinned SDK has no such parameter; current models refuse non-default sampling).

Keys and endpoint: ``ANTHROPIC_API_KEY`` / ``ANTHROPIC_BASE_URL`` as the SDK reads them, or
``--base-url``. The key stays in the SDK's headers; nothing here logs or stores it.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import anthropic

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

EPHEMERAL = {"type": "ephemeral"}


def to_anthropic_tools(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "name": tool["function"]["name"],
            "description": tool["function"].get("description", ""),
            "input_schema": tool["function"].get("parameters") or {"type": "object", "properties": {}},
        }
        for tool in tools
    ]


def _assistant_blocks(message: dict[str, Any]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if message.get("content"):
        blocks.append({"type": "text", "text": message["content"]})
    for call in message.get("tool_calls") or []:
        blocks.append(
            {
                "type": "tool_use",
                "id": call["id"],
                "name": call["function"]["name"],
                "input": call["function"]["arguments"],
            }
        )
    return blocks or [{"type": "text", "text": "(no output)"}]


def _tool_result(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "tool_result",
        "tool_use_id": message["tool_call_id"],
        "content": message.get("content") or "",
    }


def to_anthropic_messages(
    messages: list[dict[str, Any]], cache: TurnCache | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(system blocks, messages) for the Messages API; user-side turns are merged so roles alternate."""
    system: list[dict[str, Any]] = []
    turns: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        role = message["role"]
        if role == "system":
            system.append({"type": "text", "text": message.get("content") or ""})
            continue
        if role == "assistant":
            cached = cache.get(answered_ids(messages, index)) if cache else None
            blocks = [dict(block) for block in cached] if cached else _assistant_blocks(message)
            turns.append({"role": "assistant", "content": blocks})
            continue
        block = (
            _tool_result(message)
            if role == "tool"
            else {"type": "text", "text": message.get("content") or ""}
        )
        if turns and turns[-1]["role"] == "user":
            turns[-1]["content"].append(block)
        else:
            turns.append({"role": "user", "content": [block]})
    return system, turns


def add_cache_breakpoints(
    system: list[dict[str, Any]], tools: list[dict[str, Any]], turns: list[dict[str, Any]]
) -> None:
    """Mark the shared prefix (system, else the last tool), the previous user turn and the last turn."""
    if system:
        system[-1]["cache_control"] = EPHEMERAL
    elif tools:
        tools[-1]["cache_control"] = EPHEMERAL
    user_turns = [turn for turn in turns if turn["role"] == "user"]
    for turn in user_turns[-2:]:
        turn["content"][-1] = {**turn["content"][-1], "cache_control": EPHEMERAL}


def _usage(response: Any) -> tuple[Usage, str | None]:
    usage = response.usage
    return (
        Usage(
            requests=1,
            input_tokens=usage.input_tokens or 0,
            output_tokens=usage.output_tokens or 0,
            cache_creation_input_tokens=getattr(usage, "cache_creation_input_tokens", 0) or 0,
            cache_read_input_tokens=getattr(usage, "cache_read_input_tokens", 0) or 0,
        ),
        response.id,
    )


class AnthropicPolicy:
    """``anthropic:MODEL``: one Messages API request per step."""

    def __init__(
        self,
        model: str,
        settings: ClientSettings | None = None,
        thinking: int | str | None = None,
        cache: bool = True,
    ) -> None:
        self.model = model
        self.name = f"anthropic:{model}"
        self.settings = settings or ClientSettings()
        self.thinking = thinking
        self.cache_prompts = cache
        self.turns = TurnCache()
        hooks = client_hooks(self.settings.limiter, self.settings.stats)
        self.clients = [
            anthropic.AsyncAnthropic(
                http_client=anthropic.DefaultAsyncHttpxClient(event_hooks=hooks), **self.settings.sdk_kwargs()
            )
            for _ in range(self.settings.client_count())
        ]
        self.client = self.clients[0]
        self._next_client = itertools.cycle(self.clients)

    def request(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> dict[str, Any]:
        """The keyword arguments of ``messages.create`` for this conversation."""
        system, turns = to_anthropic_messages(messages, self.turns)
        api_tools = to_anthropic_tools(tools)
        if self.cache_prompts:
            add_cache_breakpoints(system, api_tools, turns)
        params: dict[str, Any] = {
            "model": self.model,
            "max_tokens": self.settings.max_tokens,
            "messages": turns,
        }
        if system:
            params["system"] = system
        if api_tools:
            params["tools"] = api_tools
        if isinstance(self.thinking, int) and self.thinking > 0:
            # A manual budget counts against max_tokens and forbids a custom temperature.
            params["thinking"] = {"type": "enabled", "budget_tokens": self.thinking}
            params["max_tokens"] = max(self.settings.max_tokens, self.thinking + 1024)
        elif self.thinking == "adaptive":
            params["thinking"] = {"type": "adaptive", "display": "summarized"}
        # No temperature: the Messages API of the pinned SDK (anthropic 2.17) takes none, and Claude
        # samples at its default (1.0), which is what best-of-N asks for (``settings.temperature``
        # is for OpenAI-compatible servers; sending it here failed every request with a TypeError).
        return params

    async def act(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]], task: Any = None
    ) -> PolicyResponse:
        params = self.request(messages, tools)
        response, usage = await metered_call(
            self.settings,
            self.model,
            lambda client=next(self._next_client): client.messages.create(**params),
            _usage,
            estimate_tokens(params),
            task,
        )
        return self._to_record(response, tool_index(tools), usage)

    def _to_record(self, response: Any, tool_defs: dict[str, dict[str, Any]], usage: Usage) -> PolicyResponse:
        texts, thoughts, calls, malformed = [], [], [], []
        for block in response.content:
            if block.type == "text":
                texts.append(block.text)
            elif block.type == "thinking" and block.thinking:
                thoughts.append(block.thinking)
            elif block.type == "tool_use":
                reason = check_arguments(tool_defs, block.name, block.input)
                if reason is None:
                    calls.append(
                        {
                            "id": block.id,
                            "type": "function",
                            "function": {"name": block.name, "arguments": block.input},
                        }
                    )
                else:
                    malformed.append(MalformedCall(block.id, block.name, _dump(block.input), reason))
        message: dict[str, Any] = {"role": "assistant", "content": "\n\n".join(texts).strip() or None}
        if calls:
            message["tool_calls"] = calls
        if thoughts:
            message["reasoning"] = "\n\n".join(thoughts)
        call_ids = [block.id for block in response.content if block.type == "tool_use"]
        if call_ids:
            blocks = [_as_param(block) for block in response.content]
            self.turns.put(call_ids, [b for b in blocks if b["type"] != "text" or b["text"]])
        return PolicyResponse(message=message, usage=usage, malformed=malformed)


def _dump(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _as_param(block: Any) -> dict[str, Any]:
    """A response content block as the request parameter the API takes back, nothing more."""
    if block.type == "thinking":
        return {"type": "thinking", "thinking": block.thinking, "signature": block.signature}
    if block.type == "redacted_thinking":
        return {"type": "redacted_thinking", "data": block.data}
    if block.type == "tool_use":
        return {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
    return {"type": "text", "text": getattr(block, "text", "")}
