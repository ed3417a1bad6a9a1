"""The debugging family (one injected bug, tests must pass again) and the coding family (one function
body removed, its tests define done), built from a ``CodeSource``."""

from __future__ import annotations

import hashlib
import random

from agentic_pipeline.tasks.base import Edit, Solution, Task, Verifier, task_id
from agentic_pipeline.tasks.mutate import minimal_edit, mutants, sample, stubs
from agentic_pipeline.tasks.sources import CodeSource

MUTANTS_PER_FILE = 60
# A stdlib source is one large module (vs 2-3 small files per shipped project): sample more of it.
STDLIB_MUTANTS_PER_FILE = 110


def rng_for(*parts: str) -> random.Random:
    """A Random seeded by text, so phrasing choices are deterministic per task."""
    return random.Random(int(hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16], 16))


_DEBUG_PHRASES = (
    "The test suite of {what} fails. Find the bug and fix it so that `{cmd}` passes again.",
    "Fix the failing tests in this repository ({what}). Run `{cmd}` to see what is broken; fix the code, not the tests.",
    "A recent change broke {what}: `{cmd}` reports failures. Track down the bug and fix it.",
    "Debug this project: some tests fail. Make `{cmd}` pass by fixing the source code (leave the tests alone).",
    "`{cmd}` is red. Find the defect in {what} and repair it.",
    "There is a bug somewhere in {file}. The tests catch it: run `{cmd}`, find the cause and fix it.",
)

_CODING_PHRASES = (
    "Implement `{func}` in {file}. Its body is missing (it raises NotImplementedError); its signature, its "
    "docstring and the tests say what it must do. `{cmd}` must pass.",
    "Write the body of `{func}` ({file}), which currently only raises NotImplementedError. Make the test suite "
    "(`{cmd}`) pass.",
    "`{func}` in {file} is a stub. Implement it so that the project's tests pass; run `{cmd}` to check.",
    "Finish the implementation of `{func}` in {file}: replace the `raise NotImplementedError` with working code. "
    "Done means `{cmd}` passes.",
)


def _what(src: CodeSource) -> str:
    return f"the {src.short} project" if src.kind == "project" else f"`{src.short}`"


def _broken_task(
    src: CodeSource,
    rel: str,
    original: str,
    broken: str,
    tid: str,
    family: str,
    instruction: str,
    kind: str,
    facts: dict,
    meta: dict,
) -> Task:
    """A task whose workspace is ``src`` with ``rel`` changed to ``broken``; the fix restores ``original``."""
    old, new = minimal_edit(broken, original)
    return Task(
        id=tid,
        family=family,
        source=src.name,
        instruction=instruction,
        base=str(src.root),
        files={},
        patches=[Edit(rel, *minimal_edit(original, broken))],
        verifier=Verifier(test_cmd=src.test_cmd, pin_base=src.pinned_tests()),
        solution=Solution(kind=kind, edits=[Edit(rel, old, new)], facts={"path": rel, **facts}),
        check_cmd=src.test_cmd,
        meta=meta,
    )


def debugging_tasks(src: CodeSource, per_file: int | None = None) -> list[Task]:
    if per_file is None:
        per_file = STDLIB_MUTANTS_PER_FILE if src.kind == "stdlib" else MUTANTS_PER_FILE
    out = []
    for rel in src.src_files:
        original = src.read(rel)
        for m in sample(mutants(original, rel, parse_check=False), per_file, salt=src.name):
            tid = task_id(src.name, "debugging", m.key)
            rng = rng_for(tid, "phrase")
            instruction = rng.choice(_DEBUG_PHRASES).format(what=_what(src), cmd=src.test_cmd, file=rel)
            facts = {"line": m.line, "function": m.function, "bug": m.description}
            meta = {"operator": m.operator, "mutation": m.key}
            out.append(
                _broken_task(src, rel, original, m.mutated, tid, "debugging", instruction, "fix", facts, meta)
            )
    return out


def coding_tasks(src: CodeSource) -> list[Task]:
    out = []
    for rel in src.src_files:
        original = src.read(rel)
        for s in stubs(original, rel):
            tid = task_id(src.name, "coding", f"{rel}:{s.function}")
            rng = rng_for(tid, "phrase")
            instruction = rng.choice(_CODING_PHRASES).format(func=s.function, file=rel, cmd=src.test_cmd)
            facts = {"line": s.line, "function": s.function}
            out.append(
                _broken_task(
                    src,
                    rel,
                    original,
                    s.stubbed,
                    tid,
                    "coding",
                    instruction,
                    "implement",
                    facts,
                    {"function": s.function},
                )
            )
    return out
