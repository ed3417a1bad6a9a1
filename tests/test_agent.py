"""The agent loop with scripted policies and a real sandbox: every way an episode can end."""

from __future__ import annotations

import asyncio

import pytest

from agentic_pipeline.agent import RunConfig, TaskSetupError, run_episode
from agentic_pipeline.llm.usage import Usage
from agentic_pipeline.policies.base import MalformedCall, PolicyResponse
from agentic_pipeline.records import TrajectoryRecord
from agentic_pipeline.tasks.base import Check, Solution, Task, Verifier


def marker_task(setup: list[str] | None = None) -> Task:
    return Task(
        id="test-agent-marker",
        family="devops",
        source="tests",
        instruction="Create done.txt containing the word done.",
        base=None,
        files={"README.md": "hello\n"},
        verifier=Verifier(checks=[Check("command", "marker", cmd="cat done.txt", expect="done")]),
        solution=Solution(kind="patch"),
        setup=setup or [],
    )


def call(name: str, args: dict, n: int) -> dict:
    return {"id": f"c{n}", "type": "function", "function": {"name": name, "arguments": args}}


class Scripted:
    """Plays back a list of turns: each a (thought, [calls]) pair, a MalformedCall, or an exception."""

    name = "scripted"

    def __init__(self, turns: list) -> None:
        self.turns = turns

    async def act(self, messages, tools, task) -> PolicyResponse:
        step = sum(1 for m in messages if m["role"] == "assistant")
        turn = self.turns[min(step, len(self.turns) - 1)]
        usage = Usage(requests=1, input_tokens=100, output_tokens=10)
        if isinstance(turn, Exception):
            raise turn
        if isinstance(turn, MalformedCall):
            return PolicyResponse({"role": "assistant", "content": "oops"}, usage, [turn])
        thought, calls = turn
        message = {"role": "assistant", "content": thought}
        if calls:
            message["tool_calls"] = [call(name, args, f"{step}_{i}") for i, (name, args) in enumerate(calls)]
        return PolicyResponse(message, usage)


def run(policy, **cfg) -> TrajectoryRecord:
    return asyncio.run(run_episode(marker_task(), policy, RunConfig(**cfg)))


def test_finish_after_real_work_is_verified_and_ends_on_the_summary() -> None:
    policy = Scripted(
        [
            ("Write it.", [("bash", {"command": "echo done > done.txt && cat done.txt"})]),
            ("Check and finish.", [("finish", {"summary": "Created done.txt."})]),
        ]
    )
    record = run(policy)
    assert record.outcome.verified and record.outcome.exit_status == "submitted"
    assert record.messages[3].content == "done\n[exit code: 0]"  # the sandbox's real output
    assert record.messages[-1].role == "assistant" and record.messages[-1].content == "Created done.txt."
    assert record.metadata.usage == {
        "requests": 2,
        "input_tokens": 200,
        "output_tokens": 20,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
    }
    assert record.metadata.model_extra["steps"] == 2


def test_claiming_success_without_the_work_is_not_verified() -> None:
    record = run(Scripted([("Done already.", [("finish", {"summary": "All done."})])]))
    assert record.outcome.exit_status == "submitted" and not record.outcome.verified
    assert "marker" in record.outcome.detail


def test_step_limit_ends_the_episode() -> None:
    record = run(Scripted([("Look around.", [("bash", {"command": "ls"})])]), max_steps=3)
    assert record.outcome.exit_status == "step_limit"
    assert sum(m.role == "assistant" for m in record.messages) == 3


def test_token_and_time_limits() -> None:
    record = run(Scripted([("Look.", [("bash", {"command": "true"})])]), max_tokens=250)
    assert record.outcome.exit_status == "token_limit"  # 110 tokens a turn: stops after the third
    record = run(Scripted([("Wait.", [("bash", {"command": "sleep 0.3"})])]), max_seconds=0.5)
    assert record.outcome.exit_status == "time_limit"


def test_malformed_calls_get_error_observations_then_a_format_error() -> None:
    bad = MalformedCall("bad1", "bash", '{"command": ', "arguments are not valid JSON")
    record = run(Scripted([bad]), max_format_errors=2)
    assert record.outcome.exit_status == "format_error"
    errors = [m for m in record.messages if m.role == "tool"]
    assert len(errors) == 3 and all("not valid JSON" in m.content for m in errors)
    assert record.metadata.model_extra["format_errors"] == 3


def test_a_verified_record_keeps_no_malformed_exchange_and_passes_the_semantic_rules() -> None:
    from agentic_pipeline.curate.semantics import RULES

    bad = MalformedCall("bad1", "bash", '{"command": ', "arguments are not valid JSON")
    policy = Scripted(
        [
            bad,
            ("Write it.", [("bash", {"command": "echo done > done.txt"})]),
            ("Finish.", [("finish", {"summary": "Created done.txt."})]),
        ]
    )
    record = run(policy)
    assert record.outcome.verified
    assert record.metadata.model_extra["format_errors"] == 1
    assert record.metadata.model_extra["pruned_malformed_messages"] == 2  # the "oops" turn + its error
    assert all(m.tool_call_id != "bad1" for m in record.messages)
    assert all(m.content != "oops" for m in record.messages)
    failures = [(name, result) for name, rule in RULES if (result := rule(record)) is not True]
    assert failures == []


def test_policy_exception_and_text_only_answers() -> None:
    record = run(Scripted([RuntimeError("server exploded")]))
    assert (
        record.outcome.exit_status == "policy_error"
        and "server exploded" in record.metadata.model_extra["exit_detail"]
    )
    record = run(Scripted([("I think it is fine.", [])]))
    assert (
        record.outcome.exit_status == "no_tool_call" and record.messages[-1].content == "I think it is fine."
    )


def test_tool_mistakes_are_observations_not_crashes() -> None:
    policy = Scripted(
        [
            ("Read a missing file.", [("read_file", {"path": "nope.txt"}), ("frobnicate", {})]),
            ("Finish.", [("finish", {"summary": "gave up"})]),
        ]
    )
    record = run(policy)
    tool_msgs = [m.content for m in record.messages if m.role == "tool"]
    assert "no such file" in tool_msgs[0] and "unknown tool" in tool_msgs[1]


def test_a_broken_setup_is_a_task_error_not_an_agent_failure() -> None:
    with pytest.raises(TaskSetupError, match="exit 3"):
        asyncio.run(run_episode(marker_task(["exit 3"]), Scripted([("x", [])]), RunConfig()))
