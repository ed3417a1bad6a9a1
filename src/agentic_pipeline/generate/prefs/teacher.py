"""Best-of-N candidates from an LLM teacher, ranked later by the same measurements as the catalogue.

For a catalogue problem the teacher gets the prompt a record would have (system + user) and the
tools, N times; every ``write_file`` call to the problem's file in its first turn is a candidate,
with the teacher's own words before the call kept as that side's thought. Nothing the teacher says
is trusted: each candidate is measured in the sandbox like a shipped variant, and pairs are ordered
by the measurements alone (``judge(..., claimed=False)``).

Samples are stored (``SampleStore``, a JSONL file next to the measurement cache) as soon as they
arrive, so a resumed run never pays for the same problem's samples twice.

Only LLM teachers (``anthropic:MODEL``, ``openai:MODEL``) make sense here: the oracle solves tasks
from a known solution, and for catalogue problems the known solutions are the variants themselves.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from agentic_pipeline.generate.prefs.catalog import Candidate, Problem
from agentic_pipeline.generate.prefs.render import INSTRUCTIONS, SYSTEM_PROMPTS
from agentic_pipeline.jsonl import JsonlAppender, lenient_rows
from agentic_pipeline.policies.base import Policy
from agentic_pipeline.tools import TOOL_SPECS


def teacher_prompt(problem: Problem) -> list[dict[str, Any]]:
    tests = next(iter(problem.tests))
    user = INSTRUCTIONS[1].format(task=problem.task, tests=tests, title=problem.title)
    return [{"role": "system", "content": SYSTEM_PROMPTS[0]}, {"role": "user", "content": user}]


def _written_code(message: dict[str, Any], path: str) -> str | None:
    for call in message.get("tool_calls") or []:
        fn = call.get("function") or {}
        args = fn.get("arguments") or {}
        if (
            fn.get("name") == "write_file"
            and isinstance(args, dict)
            and args.get("path", "").lstrip("./") == path
        ):
            content = args.get("content")
            if isinstance(content, str) and content.strip():
                return content
    return None


async def sample_candidates(policy: Policy, problem: Problem, n: int) -> list[tuple[Candidate, str | None]]:
    """Up to ``n`` distinct candidates (code, the teacher's thought); samples without a write are dropped."""
    seen: set[str] = set()
    out: list[tuple[Candidate, str | None]] = []
    for i in range(n):
        response = await policy.act(teacher_prompt(problem), TOOL_SPECS, None)
        code = _written_code(response.message, problem.file)
        if code is None or code in seen:
            continue
        seen.add(code)
        out.append(
            (Candidate(name=f"sample-{i}", code=code, origin=policy.name), response.message.get("content"))
        )
    return out


class SampleStore:
    """Teacher samples by (teacher, problem, prompt, N), appended durably; read back on resume."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.samples: dict[str, list[dict[str, Any]]] = {}
        for entry in lenient_rows(path):  # a torn tail is skipped: those samples are asked for again
            self.samples[entry["key"]] = entry["samples"]

    @staticmethod
    def key(teacher: str, problem: Problem, n: int) -> str:
        prompt = json.dumps(teacher_prompt(problem), sort_keys=True)
        return hashlib.sha256(f"{teacher}\x00{problem.key}\x00{n}\x00{prompt}".encode()).hexdigest()

    async def get(self, policy: Policy, problem: Problem, n: int) -> list[tuple[Candidate, str | None]]:
        key = self.key(policy.name, problem, n)
        if key not in self.samples:
            fresh = await sample_candidates(policy, problem, n)
            self.samples[key] = [{"name": c.name, "code": c.code, "thought": t} for c, t in fresh]
            writer = JsonlAppender(self.path)
            try:
                writer.append(
                    {"key": key, "teacher": policy.name, "problem": problem.key, "samples": self.samples[key]}
                )
            finally:
                writer.close()
        return [
            (Candidate(name=s["name"], code=s["code"], origin=policy.name), s["thought"])
            for s in self.samples[key]
        ]
