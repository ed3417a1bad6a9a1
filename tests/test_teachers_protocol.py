"""The LLM teachers against real HTTP servers on 127.0.0.1 speaking each protocol, through the official SDKs.

A scripted solver plays the model (tests/teacher_server.py): it runs bash, reads the tool result it
gets back, and finishes. These tests check the conversion both ways, prompt caching, extended
thinking round trips, malformed calls and the ledger against the usage the server reported.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from teacher_server import TeacherServer

from agentic_pipeline.llm.client import ClientSettings, check_arguments
from agentic_pipeline.llm.ledger import Ledger
from agentic_pipeline.llm.retry import RetryPolicy
from agentic_pipeline.policies import make_policy
from agentic_pipeline.policies.anthropic_policy import AnthropicPolicy, to_anthropic_messages
from agentic_pipeline.policies.openai_policy import OpenAIPolicy

BASH = {
    "type": "function",
    "function": {
        "name": "bash",
        "description": "Run a command.",
        "parameters": {
            "type": "object",
            "properties": {"command": {"type": "string"}},
            "required": ["command"],
            "additionalProperties": False,
        },
    },
}
FINISH = {
    "type": "function",
    "function": {
        "name": "finish",
        "description": "End the task.",
        "parameters": {
            "type": "object",
            "properties": {"summary": {"type": "string"}},
            "required": ["summary"],
        },
    },
}
TOOLS = [BASH, FINISH]
SYSTEM = "You are a careful agent. " * 40


def settings(url: str, ledger: Ledger | None = None, **kw: Any) -> ClientSettings:
    fast = RetryPolicy(attempts=2, base=0.05, cap=0.1)
    return ClientSettings(
        base_url=url, api_key="test-key-0123456789", timeout=5.0, ledger=ledger, retry=fast, **kw
    )


async def drive(policy: Any, max_steps: int = 8) -> list[dict[str, Any]]:
    """A minimal loop: execute nothing, answer each call with a fake observation named after it."""
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "Inspect the workspace."}]
    for _ in range(max_steps):
        response = await policy.act(messages, TOOLS, None)
        messages.append(response.message)
        calls = response.message.get("tool_calls") or []
        for call in calls:
            args = call["function"]["arguments"]
            messages.append(
                {
                    "role": "tool",
                    "tool_call_id": call["id"],
                    "name": call["function"]["name"],
                    "content": f"ran {args}",
                }
            )
        for bad in response.malformed:
            messages.append(
                {
                    "role": "tool",
                    "tool_call_id": bad.call_id,
                    "name": bad.name,
                    "content": f"Error: {bad.reason}",
                }
            )
        if any(c["function"]["name"] == "finish" for c in calls) or not (calls or response.malformed):
            break
    return messages


def last_assistant(messages: list[dict[str, Any]]) -> dict[str, Any]:
    return [m for m in messages if m["role"] == "assistant"][-1]


def assert_ledger_matches(ledger: Ledger, server: TeacherServer) -> None:
    totals = ledger.totals()
    delivered = server.delivered_totals()
    assert totals.requests == delivered["requests"]
    for key in ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"):
        assert getattr(totals, key) == delivered.get(key, 0), key
    assert sorted(ledger.request_ids()) == sorted(server.state.delivered)


def test_record_to_anthropic_merges_tool_results_and_keeps_system_apart() -> None:
    messages = [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "do it"},
        {
            "role": "assistant",
            "content": "two things",
            "tool_calls": [
                {"id": "a", "type": "function", "function": {"name": "bash", "arguments": {"command": "ls"}}},
                {
                    "id": "b",
                    "type": "function",
                    "function": {"name": "bash", "arguments": {"command": "pwd"}},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "a", "name": "bash", "content": "x"},
        {"role": "tool", "tool_call_id": "b", "name": "bash", "content": "y"},
        {"role": "user", "content": "go on"},
    ]
    system, turns = to_anthropic_messages(messages)
    assert system == [{"type": "text", "text": "sys"}]
    assert [t["role"] for t in turns] == ["user", "assistant", "user"]
    assert [b["type"] for b in turns[1]["content"]] == ["text", "tool_use", "tool_use"]
    assert turns[1]["content"][1]["input"] == {"command": "ls"}
    assert [b.get("tool_use_id") for b in turns[2]["content"]] == ["a", "b", None]


def test_check_arguments_names_the_problem() -> None:
    tools = {"bash": BASH["function"]}
    assert check_arguments(tools, "bash", {"command": "ls"}) is None
    assert "unknown tool 'rm'" in check_arguments(tools, "rm", {})
    assert "schema" in check_arguments(tools, "bash", {"cmd": "ls"})
    assert "JSON object" in check_arguments(tools, "bash", ["ls"])


def test_anthropic_episode_caches_the_growing_prefix(tmp_path: Path) -> None:
    with TeacherServer() as server, Ledger(tmp_path) as ledger:
        policy = AnthropicPolicy("claude-sonnet-5-5", settings(server.url, ledger))
        messages = asyncio.run(drive(policy))
        requests = server.state.requests_seen
    assert last_assistant(messages)["tool_calls"][0]["function"]["name"] == "finish"
    # The solver quoted the observation it received: the tool_result went back to it.
    assert "starts with \"ran {'command': 'echo scripted-solver && ls'}\"" in messages[4]["content"]
    assert len(requests) == 3
    assert requests[0]["system"][-1]["cache_control"] == {"type": "ephemeral"}
    usages = list(server.state.delivered.values())
    # Every step after the first reads the previous step's whole prompt from the cache.
    assert usages[0]["cache_read_input_tokens"] == 0 and usages[0]["cache_creation_input_tokens"] > 0
    for before, after in zip(usages, usages[1:], strict=False):
        assert (
            after["cache_read_input_tokens"]
            >= before["cache_read_input_tokens"] + before["cache_creation_input_tokens"]
        )
        assert after["input_tokens"] == 0
    assert_ledger_matches(ledger_reopened := Ledger(tmp_path), server)
    assert ledger_reopened.total_usd() > 0


def test_anthropic_without_cache_control_pays_full_input(tmp_path: Path) -> None:
    with TeacherServer() as server, Ledger(tmp_path) as ledger:
        policy = AnthropicPolicy("claude-sonnet-5-5", settings(server.url, ledger), cache=False)
        asyncio.run(drive(policy))
        assert all(u["cache_read_input_tokens"] == 0 for u in server.state.delivered.values())
        assert_ledger_matches(ledger, server)


def test_anthropic_thinking_becomes_reasoning_and_its_signature_goes_back(tmp_path: Path) -> None:
    with TeacherServer() as server:
        policy = AnthropicPolicy("claude-sonnet-5-5", settings(server.url), thinking=2048)
        messages = asyncio.run(drive(policy))
        second = server.state.requests_seen[1]
    assert messages[2]["reasoning"] == "Plan: follow the script."
    assert second["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    previous_turn = second["messages"][1]
    assert previous_turn["content"][0]["type"] == "thinking"
    assert previous_turn["content"][0]["signature"].startswith("sig-")


def test_anthropic_malformed_call_is_reported_and_shown_back_as_emitted(tmp_path: Path) -> None:
    with TeacherServer(faults=["malformed"]) as server:
        policy = AnthropicPolicy("claude-sonnet-5-5", settings(server.url))
        messages = asyncio.run(drive(policy))
        second = server.state.requests_seen[1]
    assert "tool_calls" not in messages[2]
    assert messages[3]["content"].startswith("Error: arguments of bash fail its schema")
    # The API needs the tool_use the error answers: the model's own call goes back verbatim.
    bad_use = second["messages"][1]["content"][1]
    assert bad_use["type"] == "tool_use" and bad_use["input"] == {"cmd": 42}
    assert second["messages"][2]["content"][0]["tool_use_id"] == bad_use["id"]
    assert last_assistant(messages)["tool_calls"][0]["function"]["name"] == "finish"


def test_openai_episode_and_bad_json_arguments(tmp_path: Path) -> None:
    with TeacherServer(faults=["malformed"]) as server, Ledger(tmp_path) as ledger:
        policy = OpenAIPolicy("gpt-4o", settings(server.url + "/v1", ledger))
        messages = asyncio.run(drive(policy))
        second = server.state.requests_seen[1]
        assert_ledger_matches(ledger, server)
    assert "not valid JSON" in messages[3]["content"]
    assert second["messages"][2]["tool_calls"][0]["function"]["arguments"] == '{"command": "ls"'
    assert last_assistant(messages)["tool_calls"][0]["function"]["name"] == "finish"
    cached = [u["cache_read_input_tokens"] for u in server.state.delivered.values()]
    assert cached[0] == 0 and all(c > 0 for c in cached[1:])


def test_unknown_tool_from_openai_server_is_malformed() -> None:
    with TeacherServer() as server:
        policy = OpenAIPolicy("gpt-4o", settings(server.url + "/v1"))
        # Offer only `finish` under another name: the solver's bash call is then unknown.
        only = [{"type": "function", "function": {**FINISH["function"], "name": "done"}}]
        response = asyncio.run(policy.act([{"role": "user", "content": "go"}], only, None))
    assert response.message.get("tool_calls") is None
    assert "unknown tool 'bash'" in response.malformed[0].reason


def test_make_policy_dispatch_and_env_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    with TeacherServer() as server:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-env-key-abcdefghij")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        policy = make_policy("anthropic:claude-haiku-4-5")
        assert policy.name == "anthropic:claude-haiku-4-5"
        asyncio.run(policy.act([{"role": "user", "content": "go"}], TOOLS, None))
        openai_policy = make_policy("openai:qwen2.5-coder", base_url=server.url + "/v1", rpm=600)
        asyncio.run(openai_policy.act([{"role": "user", "content": "go"}], TOOLS, None))
        # anthropic 2.x sends the key as a bearer token; the OpenAI client without a key sends EMPTY.
        assert "Bearer sk-ant-env-key-abcdefghij" in server.state.auth_headers
    with pytest.raises(ValueError, match="unknown teacher"):
        make_policy("gemini:pro")
    with pytest.raises(ValueError, match="needs a model name"):
        make_policy("anthropic")


def test_server_accepts_the_x_api_key_header_form() -> None:
    body = {"model": "claude-haiku-4-5", "max_tokens": 64, "messages": [{"role": "user", "content": "go"}]}
    with TeacherServer() as server:
        request = urllib.request.Request(
            server.url + "/v1/messages",
            data=json.dumps(body).encode(),
            headers={
                "x-api-key": "k-123",
                "anthropic-version": "2023-06-01",
                "content-type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - local test server
            answer = json.load(response)
        assert server.state.auth_headers == ["k-123"]
    assert answer["content"][-1]["type"] == "tool_use" or answer["stop_reason"] == "end_turn"
