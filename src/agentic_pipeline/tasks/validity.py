"""Is a candidate task a real task? Decided by running it, and remembered on disk.

A candidate is valid when its source's tests pass on the pristine code (checked once per source),
the task's verifier FAILS on the starting workspace (for a mutant: the tests kill it; for a stub:
its tests fail; for a devops task: the problem is really there), and its reference solution, applied
to that workspace, makes the verifier PASS (a fix that does not fix, a stub body its own tests
reject or a refactoring that breaks behaviour is no task: the oracle could not solve it either).
The reference is the solution's edits in their order (an empty ``old``: the whole file, as
``write_file`` does), then its commands in the sandbox. Merges, reverts and bisects are procedures
the oracle's plan carries out on the repository's history (their edit applies to the conflict a
merge makes, not to the start): for them only the start is checked.

Results are cached by content hash (and the reference solution's) in ``<cache>/validity.jsonl``
(one JSON line per answer, appended), so discovering tasks is cheap after the first time and a
changed task is re-checked.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from agentic_pipeline.sandbox import Limits, Sandbox
from agentic_pipeline.tasks.answers import AnswerCache
from agentic_pipeline.tasks.base import Task, apply_edit, tree_hash
from agentic_pipeline.tasks.sources import CodeSource, cache_dir
from agentic_pipeline.tasks.verify import verify

log = logging.getLogger(__name__)

_SETUP_TIMEOUT_S = 120.0
# A candidate whose check takes longer (a mutant that makes the tests loop) is not worth serving.
_CHECK_TIMEOUT_S = 20.0
# Solution kinds whose reference is a git procedure of the oracle's plan, not workspace edits.
_PROCEDURES = frozenset({"merge", "revert", "bisect"})


class ValidityCache(AnswerCache):
    """Task and source validity: key -> bool, in ``<cache>/validity.jsonl``."""

    def __init__(self, path: Path | None = None) -> None:
        super().__init__(path or cache_dir() / "validity.jsonl", "ok")

    def get(self, key: str) -> bool | None:
        answer = super().get(key)
        return None if answer is None else bool(answer)


_CACHE: ValidityCache | None = None


def default_cache() -> ValidityCache:
    global _CACHE
    if _CACHE is None or _CACHE.path.parent != cache_dir():
        _CACHE = ValidityCache()
    return _CACHE


async def run_setup(task: Task, sandbox: Sandbox) -> tuple[bool, str]:
    """Run the task's setup commands; (False, output) on the first failure."""
    for cmd in task.setup:
        result = await sandbox.arun(cmd, timeout=_SETUP_TIMEOUT_S)
        if result.exit_code != 0:
            return False, f"setup command failed (exit {result.exit_code}): {cmd}\n{result.output[-2000:]}"
    return True, ""


async def source_passes(src: CodeSource, backend: str = "bwrap", cache: ValidityCache | None = None) -> bool:
    cache = cache or default_cache()
    key = f"source:{src.name}:{tree_hash(src.root)}:{src.test_cmd}"
    known = cache.get(key)
    if known is not None:
        return known
    with tempfile.TemporaryDirectory(prefix="agentic-src-") as tmp:
        ws = Path(tmp) / "ws"
        shutil.copytree(src.root, ws, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".git"))
        result = await Sandbox(ws, Limits(timeout_s=_SETUP_TIMEOUT_S), backend=backend).arun(src.test_cmd)
    if not result.timed_out:  # a timeout on a loaded machine says nothing lasting about the source
        cache.put(key, result.exit_code == 0)
    return result.exit_code == 0


async def usable_sources(sources: Iterable[CodeSource], backend: str = "bwrap") -> list[CodeSource]:
    """The sources whose own tests pass on the pristine code (the others are logged and skipped)."""
    out = []
    for src in sources:
        if await source_passes(src, backend):
            out.append(src)
        else:
            log.warning("skipping %s: its own tests fail on the pristine code", src.name)
    return out


def _has_reference(task: Task) -> bool:
    sol = task.solution
    return sol.kind not in _PROCEDURES and bool(sol.edits or sol.commands)


def validity_key(task: Task) -> str:
    key = f"task:{task.content_hash()}"
    claim = task.meta.get("fails_at_start")
    key = f"{key}:fails-at-start:{claim}" if claim else key
    if _has_reference(task):
        sol = task.solution
        ref = json.dumps([[e.path, e.old, e.new] for e in sol.edits] + [sol.commands])
        key += f":reference:{hashlib.sha256(ref.encode()).hexdigest()[:16]}"
    return key


async def reference_verifies(task: Task, sandbox: Sandbox) -> tuple[bool, str, bool]:
    """Apply the task's reference solution to the workspace of ``sandbox`` and verify it: (passed,
    why not, timed out). An edit that does not apply or a command that fails is a failure, named."""
    ws = sandbox.workspace
    for e in task.solution.edits:
        path = ws / e.path
        try:
            text = apply_edit(path.read_text(), e) if e.old else e.new
        except (OSError, ValueError) as exc:
            return False, f"the reference edit does not apply: {exc}", False
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for cmd in task.solution.commands:
        result = await sandbox.arun(cmd, timeout=_CHECK_TIMEOUT_S)
        if result.exit_code != 0:
            return False, f"the reference command failed (exit {result.exit_code}): {cmd}", result.timed_out
    verdict = await verify(task, sandbox, timeout=_CHECK_TIMEOUT_S)
    return verdict.verified and not verdict.timed_out, verdict.detail, verdict.timed_out


async def task_is_valid(task: Task, backend: str = "bwrap", cache: ValidityCache | None = None) -> bool:
    """True when the verifier fails on the task's starting workspace and passes once the reference
    solution is applied (see the module's docstring; cached by content hash), and, for a task whose
    instruction claims a command fails at the start (``meta["fails_at_start"]``, e.g. the tests at
    HEAD of a bisect task), when that command really fails there.

    An answer that rests on a timeout is not remembered: on a loaded machine a check can time out
    once and pass the next time, and a remembered "invalid" would drop the task for good."""
    cache = cache or default_cache()
    key = validity_key(task)
    known = cache.get(key)
    if known is not None:
        return known
    with tempfile.TemporaryDirectory(prefix="agentic-valid-") as tmp:
        ws = task.materialize(Path(tmp) / "ws")
        sandbox = Sandbox(ws, Limits(timeout_s=_SETUP_TIMEOUT_S), backend=backend, venv=task.env)
        ok, _ = await run_setup(task, sandbox)
        timed_out = False
        if ok and task.meta.get("fails_at_start"):
            claim = await sandbox.arun(task.meta["fails_at_start"], timeout=_CHECK_TIMEOUT_S)
            ok, timed_out = claim.exit_code != 0 and not claim.timed_out, claim.timed_out
        if ok:
            verdict = await verify(task, sandbox, timeout=_CHECK_TIMEOUT_S)
            ok, timed_out = not verdict.verified and not verdict.timed_out, verdict.timed_out
        if ok and _has_reference(task):
            ok, detail, timed_out = await reference_verifies(task, sandbox)
            if not ok:
                log.warning(
                    "%s: its reference solution does not pass its verifier: %s", task.id, detail[-300:]
                )
    if not timed_out:
        cache.put(key, ok)
    return ok


def cached_validity(task: Task, cache: ValidityCache | None = None) -> bool | None:
    """The remembered answer for a task, without running anything (None: not checked yet)."""
    return (cache or default_cache()).get(validity_key(task))
