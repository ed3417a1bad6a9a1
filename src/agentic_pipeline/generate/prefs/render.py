"""Turn a judged pair into a TRL conversational preference record with tools.

prompt   = system, user "Do X", and (for some phrasings) the agent first looking at the tests
chosen   = assistant writes the file (write_file) -> real tool result -> runs the tests (bash) ->
           real pytest output -> a final answer that reports what the tests said
rejected = the same steps with the other implementation and its own real outputs

Both sides share their thoughts' wording (the same phrasing draw), so what differs is the code and
what really came back. A phrasing is (system prompt, instruction template, opening); the id of a
record is a hash of the pair and its phrasing, so the same inputs always give the same record.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from dataclasses import dataclass
from typing import Any

from agentic_pipeline.generate.prefs.catalog import Problem
from agentic_pipeline.generate.prefs.judge import Verdict
from agentic_pipeline.records import SCHEMA_VERSION, PreferenceRecord
from agentic_pipeline.tools import TOOL_SPECS

SYSTEM_PROMPTS = (
    "You are a coding agent working in a sandboxed workspace mounted at /workspace. Act through the "
    "tools: write files, run commands, check your work, then answer briefly.",
    "You are an autonomous software engineer. You can run shell commands and edit files with the tools "
    "provided. Verify every change by running the tests before you report back.",
    "You work on a repository through tools (bash, read_file, write_file, edit_file, finish). Prefer "
    "small, correct, maintainable and safe changes, and confirm them by running the test suite.",
)

INSTRUCTIONS = (
    "{task}",
    "{task}\n\nThe tests in `{tests}` describe what is expected.",
    "Please do this in the workspace: {task}",
    "Task: {task}\nDone when `python -m pytest -q` passes.",
    "{task} The tests are already in the workspace (`{tests}`); make them pass.",
    "I need this implemented. {task}",
    "Here is what I need.\n\n{task}\n\nCheck it against the existing tests before you finish.",
    "{title}: {task}",
)

# How the agent opens before writing: nothing, reading the tests, or listing the folder first.
OPENINGS = ("direct", "read_tests", "list_then_read")

WRITE_THOUGHTS = (
    "I'll write `{file}` now.",
    "Writing the implementation to `{file}`.",
    "Let me create `{file}` with the implementation.",
    "I have what I need; here is `{file}`.",
)
TEST_THOUGHTS = ("Now I run the tests.", "Checking it against the tests.", "Let me run the test suite.")
FINAL_ANSWERS = (
    "Done: `{file}` is in place and `{command}` reports {summary}.",
    "`{file}` is written; the test run shows {summary}.",
    "I implemented `{file}`. Test result: {summary}.",
)


@dataclass(frozen=True)
class Phrasing:
    system: int
    instruction: int
    opening: int
    wording: int  # seeds the choice of thought and final-answer templates

    @property
    def key(self) -> str:
        return f"s{self.system}i{self.instruction}o{self.opening}w{self.wording}"


def all_phrasings() -> list[Phrasing]:
    """Every (system, instruction, opening) combination; wording follows from them."""
    combos = itertools.product(range(len(SYSTEM_PROMPTS)), range(len(INSTRUCTIONS)), range(len(OPENINGS)))
    return [Phrasing(s, i, o, (s * 7 + i * 3 + o) % len(WRITE_THOUGHTS)) for s, i, o in combos]


def phrasing_order(pair_key: str, seed: int) -> list[Phrasing]:
    """A per-pair, seeded order of the phrasings: the k-th record of a pair uses the k-th one."""
    phrasings = all_phrasings()
    random.Random(f"{seed}:{pair_key}").shuffle(phrasings)
    return phrasings


def _call(call_id: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def _tool(call_id: str, name: str, content: str) -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": call_id, "name": name, "content": content}


def opening_turns(opening: str, problem: Problem, observations: dict[str, str]) -> list[dict[str, Any]]:
    """The shared first steps (real observations of the starting workspace, from ``observations``)."""
    test_file = next(iter(problem.tests))
    turns: list[dict[str, Any]] = []
    if opening == "list_then_read":
        turns += [
            {
                "role": "assistant",
                "content": "Let me see what is in the workspace.",
                "tool_calls": [_call("call_0", "bash", {"command": "ls"})],
            },  # fmt: skip
            _tool("call_0", "bash", observations["ls"]),
        ]
    if opening in ("read_tests", "list_then_read"):
        turns += [
            {
                "role": "assistant",
                "content": f"First I read `{test_file}` to see what is expected.",
                "tool_calls": [_call("call_r", "read_file", {"path": test_file})],
            },  # fmt: skip
            _tool("call_r", "read_file", observations["read_tests"]),
        ]
    return turns


def test_summary(tests: dict[str, Any]) -> str:
    parts = [f"{tests[k]} {k}" for k in ("passed", "failed", "errors", "skipped") if tests.get(k)]
    return ", ".join(parts) or f"exit code {tests['exit_code']}"


def continuation(
    problem: Problem, code: str, m: dict[str, Any], ph: Phrasing, thought: str | None
) -> list[dict]:
    """write_file -> result -> bash tests -> result -> final answer, with this side's real outputs."""
    fmt = {"file": problem.file, "command": m["tests"]["command"], "summary": test_summary(m["tests"])}
    write_thought = thought or WRITE_THOUGHTS[ph.wording].format(**fmt)
    return [
        {
            "role": "assistant",
            "content": write_thought,
            "tool_calls": [_call("call_1", "write_file", {"path": problem.file, "content": code})],
        },  # fmt: skip
        _tool("call_1", "write_file", m["observations"]["write_file"]),
        {
            "role": "assistant",
            "content": TEST_THOUGHTS[ph.wording % len(TEST_THOUGHTS)],
            "tool_calls": [_call("call_2", "bash", {"command": m["tests"]["command"]})],
        },  # fmt: skip
        _tool("call_2", "bash", m["observations"]["tests"]),
        {"role": "assistant", "content": FINAL_ANSWERS[ph.wording % len(FINAL_ANSWERS)].format(**fmt)},
    ]


def pair_key(problem: Problem, verdict: Verdict) -> str:
    return f"{problem.key}:{verdict.chosen.digest}>{verdict.rejected.digest}"


def record_id(category: str, problem: Problem, verdict: Verdict, ph: Phrasing) -> str:
    digest = hashlib.sha256(f"{pair_key(problem, verdict)}:{ph.key}".encode()).hexdigest()[:16]
    return f"pref-{category}-{problem.name}-{digest}"


def render_pair(
    problem: Problem,
    verdict: Verdict,
    measurements: tuple[dict[str, Any], dict[str, Any]],
    ph: Phrasing,
    workspace_observations: dict[str, str],
    origin: str = "catalog",
    thoughts: tuple[str | None, str | None] = (None, None),
) -> PreferenceRecord:
    """One record: ``measurements`` are (chosen, rejected) as measured; ``origin`` is catalog, derived
    or the teacher's name; ``thoughts`` are a teacher's own words before its write."""
    tests = next(iter(problem.tests))
    user = INSTRUCTIONS[ph.instruction].format(task=problem.task, tests=tests, title=problem.title)
    opening = OPENINGS[ph.opening]
    prompt = [{"role": "system", "content": SYSTEM_PROMPTS[ph.system]}, {"role": "user", "content": user}]
    prompt += opening_turns(opening, problem, workspace_observations)
    m_chosen, m_rejected = measurements
    metadata = {
        "schema_version": SCHEMA_VERSION,
        "teacher": origin if origin not in ("catalog", "derived") else "catalog",
        "task_id": f"prefs:{problem.key}",
        "source": f"prefs-{origin}" if origin in ("catalog", "derived") else f"prefs-teacher:{origin}",
        "problem": problem.key,
        "pair": pair_key(problem, verdict),
        "phrasing": ph.key,
        "evidence": verdict.evidence,
    }
    return PreferenceRecord(
        id=record_id(problem.category, problem, verdict, ph),
        category=problem.category,
        tools=TOOL_SPECS,
        prompt=prompt,
        chosen=continuation(problem, verdict.chosen.code, m_chosen, ph, thoughts[0]),
        rejected=continuation(problem, verdict.rejected.code, m_rejected, ph, thoughts[1]),
        metadata=metadata,
    )
