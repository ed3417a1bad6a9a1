"""The one agent loop, for every policy (oracle, Claude, OpenAI-compatible, a student checkpoint).

``run_episode(task, policy, config)`` materializes the task's workspace in a temporary folder, runs
its setup in the sandbox, then alternates ``policy.act`` and tool execution until the policy calls
``finish`` or a limit is hit. Every way an episode ends is an exception caught in one place, and its
name is recorded as ``outcome.exit_status`` (the label later stages filter on):

- ``submitted``: the policy called ``finish`` (its summary becomes the final assistant turn);
- ``no_tool_call``: the policy answered with text only (it considers itself done);
- ``step_limit`` / ``time_limit`` / ``token_limit``: a budget ran out;
- ``format_error``: more malformed tool calls than ``max_format_errors``;
- ``policy_error``: the policy raised (an API error that survived its retries, ...).

Then the verifier runs in a fresh sandbox command on the same workspace, never trusting what the
agent said, and the result is a ``TrajectoryRecord``: the messages, the tools, the outcome, and
metadata (teacher, task, source, family, usage, versions, duration).
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentic_pipeline import __version__
from agentic_pipeline.llm.usage import Usage
from agentic_pipeline.policies.base import Policy, PolicyResponse
from agentic_pipeline.records import SCHEMA_VERSION, Outcome, TrajectoryRecord
from agentic_pipeline.sandbox import Limits, Sandbox
from agentic_pipeline.tasks.base import Task
from agentic_pipeline.tasks.validity import run_setup
from agentic_pipeline.tasks.verify import verify
from agentic_pipeline.tools import TOOL_SPECS, aexecute_tool

log = logging.getLogger(__name__)

SYSTEM_PROMPT = """You are an autonomous software engineering agent working in a sandboxed Linux workspace \
(/workspace, your current directory). You act through tools: `bash` runs a shell command, `read_file`, \
`write_file` and `edit_file` work on files, and `finish` ends the task.

Work like a careful engineer: look before you change anything, make small targeted edits, run the \
relevant command (tests, the script, the tool) to check your work, and call `finish` with a short \
summary once the task is done and verified. There is no network access. Do not modify tests unless \
the task asks for it."""


@dataclass(kw_only=True)
class RunConfig:
    """The agent loop's limits and choices for one run (the policy comes from the run's ``Teacher``)."""

    max_steps: int = 30
    max_seconds: float = 900.0
    max_tokens: int | None = None
    max_format_errors: int = 3
    command_timeout_s: float = 60.0
    backend: str = "bwrap"
    seed: int = 0
    system_prompt: str = SYSTEM_PROMPT


class EpisodeEnd(Exception):
    """Raised inside the loop to end it; ``status`` becomes ``outcome.exit_status``."""

    status = "ended"


class Submitted(EpisodeEnd):
    status = "submitted"


class NoToolCall(EpisodeEnd):
    status = "no_tool_call"


class StepLimit(EpisodeEnd):
    status = "step_limit"


class TimeLimit(EpisodeEnd):
    status = "time_limit"


class TokenLimit(EpisodeEnd):
    status = "token_limit"


class FormatError(EpisodeEnd):
    status = "format_error"


class PolicyError(EpisodeEnd):
    status = "policy_error"


class TaskSetupError(RuntimeError):
    """The task itself could not be set up: a broken task, not an agent failure."""


def record_id(task_id: str, teacher: str, seed: int) -> str:
    return "traj-" + hashlib.sha256(f"{task_id}\x00{teacher}\x00{seed}".encode()).hexdigest()[:20]


class Episode:
    """One task, one policy, one workspace. ``messages`` is the trajectory at every moment."""

    def __init__(self, task: Task, policy: Policy, config: RunConfig, sandbox: Sandbox) -> None:
        self.task, self.policy, self.config, self.sandbox = task, policy, config, sandbox
        self.messages: list[dict[str, Any]] = [
            {"role": "system", "content": config.system_prompt},
            {"role": "user", "content": task.instruction},
        ]
        self.usage = Usage()
        self.steps = 0
        self.format_errors = 0
        self.start = time.monotonic()

    async def run(self) -> tuple[str, str]:
        try:
            while True:
                await self.step()
        except EpisodeEnd as end:
            return end.status, str(end)

    async def step(self) -> None:
        self.check_limits()
        await self.execute(await self.query())

    def check_limits(self) -> None:
        cfg = self.config
        if self.steps >= cfg.max_steps:
            raise StepLimit(f"{self.steps} steps")
        if time.monotonic() - self.start > cfg.max_seconds:
            raise TimeLimit(f"over {cfg.max_seconds:g} s")
        if cfg.max_tokens is not None and self.usage.input_tokens + self.usage.output_tokens > cfg.max_tokens:
            raise TokenLimit(f"{self.usage.input_tokens + self.usage.output_tokens} tokens")

    async def query(self) -> PolicyResponse:
        self.steps += 1
        try:
            response = await self.policy.act(self.messages, TOOL_SPECS, self.task)
        except EpisodeEnd:
            raise
        except Exception as exc:  # any policy failure ends this episode only, with its reason
            log.warning("policy %s failed on %s: %s", self.policy.name, self.task.id, exc)
            raise PolicyError(f"{type(exc).__name__}: {exc}") from exc
        self.usage.add(response.usage)
        self.messages.append(response.message)
        return response

    async def execute(self, response: PolicyResponse) -> None:
        calls = response.message.get("tool_calls") or []
        finished = None
        for call in calls:
            fn = call["function"]
            result = await aexecute_tool(self.sandbox, fn["name"], fn["arguments"])
            self.messages.append(
                {"role": "tool", "tool_call_id": call["id"], "name": fn["name"], "content": result.content}
            )
            if result.finished:
                finished = fn["arguments"].get("summary", "")
        for bad in response.malformed:
            self.format_errors += 1
            self.messages.append(
                {
                    "role": "tool",
                    "tool_call_id": bad.call_id,
                    "name": bad.name,
                    "content": f"Error: this call could not be executed: {bad.reason}",
                }
            )
        if self.format_errors > self.config.max_format_errors:
            raise FormatError(f"{self.format_errors} malformed tool calls")
        if finished is not None:
            # The conversation ends on the agent's own words: its finish summary as the last turn.
            self.messages.append({"role": "assistant", "content": finished or "Done."})
            raise Submitted(finished)
        if not calls and not response.malformed:
            raise NoToolCall("the policy answered without a tool call")


def prune_malformed(messages: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """The conversation without its malformed tool calls, for a record that goes to SFT.

    Live, a malformed call is answered with an error observation so the model can correct itself;
    the record keeps that exchange only where it would not teach it: error observations answering
    an id the assistant's ``tool_calls`` don't hold are dropped, and so is an assistant turn left
    with nothing but the thought that led to the bad call (the model's corrected turn follows).
    Every remaining observation is still the real one. Returns the messages and the turns dropped.
    """
    answered = {c["id"] for m in messages if m["role"] == "assistant" for c in m.get("tool_calls") or []}
    kept: list[dict[str, Any]] = []
    dropped = 0
    for i, message in enumerate(messages):
        if message["role"] == "tool" and message.get("tool_call_id") not in answered:
            dropped += 1
            continue
        orphan_turn = (
            message["role"] == "assistant"
            and not message.get("tool_calls")
            and i + 1 < len(messages)
            and messages[i + 1]["role"] == "tool"
            and messages[i + 1].get("tool_call_id") not in answered
        )
        if orphan_turn:
            dropped += 1
            continue
        kept.append(message)
    return kept, dropped


async def run_episode(task: Task, policy: Policy, config: RunConfig) -> TrajectoryRecord:
    """Run ``task`` with ``policy``; the record's outcome says whether the verifier passed."""
    started = time.monotonic()
    limits = Limits(timeout_s=config.command_timeout_s)
    with tempfile.TemporaryDirectory(prefix="agentic-episode-") as tmp:
        workspace = task.materialize(Path(tmp) / "workspace")
        sandbox = Sandbox(workspace, limits, backend=config.backend, venv=task.env)
        ok, why = await run_setup(task, sandbox)
        if not ok:
            raise TaskSetupError(f"task {task.id}: {why}")
        episode = Episode(task, policy, config, sandbox)
        status, detail = await episode.run()
        verdict = await verify(task, Sandbox(workspace, limits, backend=config.backend, venv=task.env))
    outcome = Outcome(
        verified=verdict.verified, verifier=verdict.verifier, detail=verdict.detail, exit_status=status
    )
    messages, pruned = episode.messages, 0
    if verdict.verified and episode.format_errors:
        messages, pruned = prune_malformed(episode.messages)
    metadata = {
        "schema_version": SCHEMA_VERSION,
        "teacher": policy.name,
        "task_id": task.id,
        "source": task.source,
        "family": task.family,
        "usage": episode.usage.as_dict(),
        "steps": episode.steps,
        "format_errors": episode.format_errors,
        "pruned_malformed_messages": pruned,
        "exit_detail": detail[:500],
        "package_version": __version__,
        "duration_s": round(time.monotonic() - started, 3),
        "seed": config.seed,
    }
    return TrajectoryRecord(
        id=record_id(task.id, policy.name, config.seed),
        category=task.family,
        tools=TOOL_SPECS,
        messages=messages,
        outcome=outcome,
        metadata=metadata,
    )
