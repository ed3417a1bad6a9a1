"""Records for the training tests: the checked-in examples (schemas/examples/) and short multi-turn
tool conversations built here, in the record format, with lengths spread like real trajectories
(most short, a few long). Written to a data directory in the seed's layout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agentic_pipeline.layout import data_file

EXAMPLES = Path(__file__).resolve().parent.parent / "schemas" / "examples"

SYSTEM = "You are a software engineering agent. Act with the tools and call finish when the task is verified."
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "bash",
            "description": "Run a shell command in the workspace.",
            "parameters": {
                "type": "object",
                "properties": {"command": {"type": "string"}, "timeout": {"type": "integer"}},
                "required": ["command"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "read_file",
            "description": "Read a file.",
            "parameters": {
                "type": "object",
                "properties": {"path": {"type": "string"}},
                "required": ["path"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "edit_file",
            "description": "Replace one exact occurrence of old with new in a file.",
            "parameters": {
                "type": "object",
                "properties": {
                    "path": {"type": "string"},
                    "old": {"type": "string"},
                    "new": {"type": "string"},
                },
                "required": ["path", "old", "new"],
            },
        },
    },
]


def _call(call_id: str, name: str, **arguments: Any) -> dict:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def trajectory(i: int, extra_lines: int = 0) -> dict:
    """A debugging trajectory: run tests, read the file, fix it, rerun; ``extra_lines`` of test output
    make it longer (the long tail of real trajectories)."""
    module = f"pkg/mod{i}.py"
    failing = "\n".join(f"tests/test_mod{i}.py::test_case_{k} PASSED" for k in range(extra_lines))
    return {
        "id": f"traj-{i:03d}",
        "kind": "trajectory",
        "category": "debugging",
        "tools": TOOLS,
        "messages": [
            {"role": "system", "content": SYSTEM},
            {
                "role": "user",
                "content": f"The tests of {module} fail. Fix the bug without changing the tests.",
            },
            {
                "role": "assistant",
                "content": "I'll run the tests first.",
                "tool_calls": [_call("call_1", "bash", command=f"python -m pytest -q tests/test_mod{i}.py")],
            },
            {
                "role": "tool",
                "tool_call_id": "call_1",
                "name": "bash",
                "content": f"{failing}\nFAILED tests/test_mod{i}.py::test_total - assert {i} == {i + 1}\n[exit code: 1]",
            },
            {
                "role": "assistant",
                "content": "The total is off by one. Let me read the module.",
                "tool_calls": [_call("call_2", "read_file", path=module)],
            },
            {
                "role": "tool",
                "tool_call_id": "call_2",
                "name": "read_file",
                "content": f"def total(xs):\n    return sum(xs) - {i % 3 + 1}\n",
            },
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    _call("call_3", "edit_file", path=module, old=f"sum(xs) - {i % 3 + 1}", new="sum(xs)")
                ],
            },
            {"role": "tool", "tool_call_id": "call_3", "name": "edit_file", "content": "edited 1 occurrence"},
            {
                "role": "assistant",
                "content": f"Fixed: total() no longer subtracts {i % 3 + 1}; the tests pass.",
            },
        ],
        "outcome": {"verified": True, "verifier": "tests", "detail": "all passed"},
        "metadata": {"teacher": "test", "source": "tests/train_records.py"},
    }


def preference(i: int) -> dict:
    """A multi-turn tool preference pair: the prompt holds the first step and its observation; the
    chosen continuation fixes and verifies (with a tool observation inside), the rejected one claims
    success without checking."""
    module = f"pkg/mod{i}.py"
    return {
        "id": f"pref-{i:03d}",
        "kind": "preference",
        "category": "code_quality",
        "tools": TOOLS,
        "prompt": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"Fix the failing test of {module}."},
            {
                "role": "assistant",
                "content": "Reading the module.",
                "tool_calls": [_call("call_1", "read_file", path=module)],
            },
            {"role": "tool", "tool_call_id": "call_1", "name": "read_file", "content": "return a - b  # bug"},
        ],
        "chosen": [
            {
                "role": "assistant",
                "content": "The operator is wrong; fix it and rerun the tests.",
                "tool_calls": [_call("call_2", "edit_file", path=module, old="a - b", new="a + b")],
            },
            {
                "role": "tool",
                "tool_call_id": "call_2",
                "name": "edit_file",
                "content": "OBSERVATION-MARKER edited",
            },
            {"role": "assistant", "content": f"Fixed {module}: it adds now, and the test passes."},
        ],
        "rejected": [{"role": "assistant", "content": "Done, it should work now."}],
        "metadata": {"evidence": {"tests": {"chosen": "1 passed", "rejected": "1 failed"}}},
    }


def write_records(data_dir: Path, records: list[dict]) -> Path:
    for record in records:
        path = data_file(data_dir, record["kind"], record["category"])
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
    return data_dir


def example_records() -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(EXAMPLES.glob("*.json"))]


def long_tailed_lengths(n: int, seed: int = 0) -> list[int]:
    """Extra output lines per trajectory: mostly a few, sometimes many (log-normal-like)."""
    import random

    rng = random.Random(seed)
    return [min(int(rng.lognormvariate(1.0, 1.0)), 60) for _ in range(n)]


def training_data_dir(data_dir: Path, n_sft: int = 24, n_pref: int = 6) -> Path:
    lengths = long_tailed_lengths(n_sft)
    records = [trajectory(i, lengths[i]) for i in range(n_sft)] + [preference(i) for i in range(n_pref)]
    return write_records(data_dir, records)
