"""Tasks from real code: copy a repository, inject bugs / remove bodies, keep what its tests catch.

The repository is copied (without .git, caches and virtual environments) into the task cache, keyed
by its content, so the tasks keep working when the original moves on. Source files are the ``.py``
files that are not tests; test files (``test_*.py``, ``*_test.py``, ``conftest.py``, anything under
a ``tests``/``test`` folder) are pinned by the verifier.

A source may carry its own environment (``agentic_pipeline.tasks.environments``): its dependencies,
mounted in the sandbox for every command of its tasks. Every source, with or without one:

1. the suite runs once under coverage with per-test contexts (``coverage_map``); a red suite stops
   here, showing the failing tests and the first error lines;
2. candidates are built only on lines some test executes, and ordered round-robin (seeded) over
   families, modules and functions, public ones first, so a small ``max_tasks`` is a spread sample;
3. each candidate is checked by running only the tests that execute its lines (the task itself names
   the full command, which its verifier runs); it is kept when they fail. The answer goes to the
   validity cache, so a second run resumes where the first stopped.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import random
import re
import shutil
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from agentic_pipeline.sandbox import Limits, Sandbox
from agentic_pipeline.tasks.base import Task, tree_hash
from agentic_pipeline.tasks.code_families import coding_tasks, debugging_tasks, multi_coding_tasks
from agentic_pipeline.tasks.coverage_map import CoverageMap, measure, narrowed_command
from agentic_pipeline.tasks.environments import EnvError, ensure_env, spec_for
from agentic_pipeline.tasks.sources import CodeSource, cache_dir
from agentic_pipeline.tasks.validity import default_cache, validity_key

_IGNORE = shutil.ignore_patterns(
    ".git",
    "__pycache__",
    "*.pyc",
    ".venv",
    "venv",
    "env",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "node_modules",
    "build",
    "dist",
    "*.egg-info",
)
# Mutants sampled per source file, from those on covered lines: far more than for the shipped projects
# (60), since a real module is larger and the checks go in spread order (a large pool costs building
# it, ~1 ms per mutant, not checking it). 400 keeps most of a large module's covered mutants (toolz's
# 1,118, cachetools' 972 all; more-itertools' more.py ~2,700 of them, 400).
MUTANTS_PER_FILE = 400
# Coding: single stubs first (each one's own tests catch it), then several stubs of one file at once.
_BUILDERS = {
    "debugging": lambda src: debugging_tasks(src, MUTANTS_PER_FILE),
    "coding": lambda src: coding_tasks(src) + multi_coding_tasks(src),
}
_BASELINE_TIMEOUT_S = 900.0
# A candidate whose narrowed run takes longer than this (or 3x the suite, if longer) is not kept.
_CHECK_TIMEOUT_S = 30.0
WORKERS = 2
_MAP_VERSION = "2"  # bump when what a coverage map holds changes (remembered maps are then redone)


class MineError(ValueError):
    """The repository cannot be mined (message says why and what to do)."""


@dataclass
class MineReport:
    """What happened to one source's candidates."""

    source: str
    built: int = 0  # candidates on lines the tests execute
    uncovered: int = 0  # candidates left out: on lines no test executes
    tried: int = 0
    kept: int = 0
    rejected: Counter = field(default_factory=Counter)  # reason -> count
    coverage: str = ""  # how candidates were chosen and checked
    env: str = ""  # the source's environment: built or reused, where
    seconds: float = 0.0

    def line(self) -> str:
        why = ", ".join(f"{n} {reason}" for reason, n in self.rejected.most_common()) or "none"
        return (
            f"{self.source}: {self.built} candidates ({self.uncovered} more on lines no test runs, left out); "
            f"tried {self.tried}, kept {self.kept}, rejected {sum(self.rejected.values())} ({why}); "
            f"{self.seconds:.0f} s; {self.coverage}" + (f"; {self.env}" if self.env else "")
        )


@dataclass
class Mined:
    tasks: list[Task]
    report: MineReport


def _is_test(rel: Path) -> bool:
    name = rel.name
    return (
        name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
        or any(part in ("tests", "test", "testing") for part in rel.parts[:-1])
    )


def copy_repo(repo: Path, name: str | None = None) -> Path:
    """A frozen copy of ``repo`` in the cache (reused when the content is the same)."""
    repo = Path(repo).resolve()
    if not repo.is_dir():
        raise MineError(f"--repo {repo}: no such folder")
    name = name or repo.name
    staging = cache_dir() / "mined" / f".staging-{name}"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(repo, staging, ignore=_IGNORE, symlinks=True)
    final = cache_dir() / "mined" / f"{name}-{tree_hash(staging, memo=False)[:12]}"
    if final.exists():
        shutil.rmtree(staging)
    else:
        staging.rename(final)
    return final


_NOT_SOURCE = ("setup.py", "noxfile.py", "conftest.py", "conf.py", "fabfile.py", "tasks.py")
_NOT_SOURCE_DIRS = ("docs", "doc", "examples", "example", "benchmarks", "bench", "scripts", "tools")


def repo_source(root: Path, test_cmd: str, name: str, kind: str = "repo") -> CodeSource:
    files = sorted(p.relative_to(root) for p in root.rglob("*.py") if p.is_file())
    src = [
        str(p)
        for p in files
        if not _is_test(p) and p.name not in _NOT_SOURCE and not (set(p.parts[:-1]) & set(_NOT_SOURCE_DIRS))
    ]
    tests = [str(p) for p in files if _is_test(p)]
    if not src:
        raise MineError(f"{root}: no Python source files (outside tests) to mutate")
    what = "repository" if kind == "repo" else "package"
    return CodeSource(f"{kind}:{name}", root, src, tests, test_cmd, description=f"the {name} {what}")


# ----------------------------------------------------------------------------- a red suite, explained

_FAILED = re.compile(r"^(FAILED|ERROR)\s+\S|^(FAIL|ERROR): \w")
_ERROR = re.compile(r"^E\s{2,}\S|^\w+(\.\w+)*(Error|Exception|Exit)\b|^ImportError|^Traceback")


def explain_failure(output: str, limit: int = 12) -> str:
    """The failing tests and the first error lines of a test run (pytest or unittest), else its tail."""
    lines = output.splitlines()
    failed = [ln.strip() for ln in lines if _FAILED.match(ln.strip())]
    errors = list(dict.fromkeys(ln.strip() for ln in lines if _ERROR.match(ln.strip())))
    picked = failed[:limit] + [ln for ln in errors if not any(ln in f for f in failed)][:limit]
    if not picked:
        picked = [ln for ln in lines if ln.strip()][-limit:]
    return "\n".join(f"  {ln}" for ln in picked)


# ----------------------------------------------------------------------------- the spread


def _private(name: str) -> bool:
    return any(p.startswith("_") and not p.endswith("__") for p in name.replace("+", ".").split("."))


def spread(pools: dict[str, list[Task]], seed: int = 0) -> list[Task]:
    """Every task once, round-robin over families, then over modules, then over functions (public
    ones first), each level in a seeded order: the first N are a spread sample of the whole."""
    per_family = []
    for family in sorted(pools):
        rng = random.Random(f"{seed}:{family}")
        modules: dict[str, dict[str, list[Task]]] = {}
        for t in sorted(pools[family], key=lambda t: t.id):
            facts = t.solution.facts
            path = getattr(facts, "path", "") or ""
            func = t.meta.get("function") or getattr(facts, "function", None) or ""
            modules.setdefault(path, {}).setdefault(func, []).append(t)
        cycles = []
        for path in sorted(modules):
            funcs = list(modules[path].items())
            rng.shuffle(funcs)
            funcs.sort(key=lambda kv: _private(kv[0]))
            for _, tasks in funcs:
                rng.shuffle(tasks)
            cycles.append([tasks for _, tasks in funcs])
        rng.shuffle(cycles)
        per_family.append(_round_robin([_round_robin(c) for c in cycles]))
    return _round_robin(per_family)


def _round_robin(groups: list[list[Task]]) -> list[Task]:
    out, i = [], 0
    while any(i < len(g) for g in groups):
        out += [g[i] for g in groups if i < len(g)]
        i += 1
    return out


# ----------------------------------------------------------------------------- checking candidates


async def _check(task: Task, cmd: str, backend: str, timeout: float) -> str | None:
    """None when ``cmd`` (the tests covering the change) fails on the task's workspace, else why not."""
    with tempfile.TemporaryDirectory(prefix="agentic-mine-") as tmp:
        ws = task.materialize(Path(tmp) / "ws")
        sandbox = Sandbox(ws, Limits(timeout_s=timeout), backend=backend, venv=task.env)
        result = await sandbox.arun(cmd, timeout=timeout)
    if result.timed_out:
        return "timed out"
    if result.exit_code == 0:
        return "not caught by the tests"
    if "pytest" in cmd.split()[:3] and result.exit_code in (4, 5):
        return "tests not selected"  # usage error / no tests collected: says nothing about the change
    return None


def _changed_lines(task: Task) -> tuple[str, list[int]]:
    """The file a candidate changes and the lines of the original it touches."""
    facts = task.solution.facts
    path = facts.path
    original = Path(task.base, path).read_text()
    lines: list[int] = []
    for edit in task.solution.edits:  # the fix's new text is the original's
        start = original.find(edit.new)
        if start >= 0:
            first = original.count("\n", 0, start) + 1
            lines += range(first, first + max(1, edit.new.count("\n")))
    return path, lines or [getattr(facts, "line", 0)]


def _command_for(task: Task, src: CodeSource, cov: CoverageMap | None) -> str:
    if cov is None:
        return src.test_cmd
    path, lines = _changed_lines(task)
    return narrowed_command(src.test_cmd, cov.contexts(path, lines), src.test_files, src.root)


async def _baseline(src: CodeSource, backend: str) -> tuple[CoverageMap | None, float, str]:
    """The coverage map (None when the command cannot be measured), the suite's seconds and how it
    went. Raises MineError, with the failing tests, when the suite is red on the pristine code."""
    how = "candidates on covered lines, checked by the tests that cover them"
    memo = (
        cache_dir()
        / "coverage"
        / f"{tree_hash(src.root)[:20]}-{_digest(src.test_cmd, src.env or '', _MAP_VERSION)}.json"
    )
    if memo.is_file():  # a green run of this very code, command and environment: remembered
        row = json.loads(memo.read_text())
        cov = CoverageMap.from_json(row["lines"])
        if _executes_source(cov, src):  # (a map of none of it was an installed copy shadowing it)
            return cov, row["seconds"], how
    result, cov = await measure(src.root, src.test_cmd, backend, src.env)
    if result is not None and result.exit_code == 0 and cov is not None:
        if not _executes_source(cov, src):
            raise MineError(
                f"the tests of {src.name} pass but execute none of its source files in the workspace "
                f"({len(src.src_files)} files, e.g. {src.src_files[0]}): they import another copy of it "
                "(an installed one earlier on sys.path?), so no change to the workspace can be caught"
            )
        memo.parent.mkdir(parents=True, exist_ok=True)
        tmp = memo.with_suffix(".tmp")
        tmp.write_text(json.dumps({"seconds": result.duration_s, "lines": cov.to_json()}))
        tmp.replace(memo)
        return cov, result.duration_s, how
    with tempfile.TemporaryDirectory(prefix="agentic-baseline-") as tmp:
        ws = Path(tmp) / "ws"
        shutil.copytree(src.root, ws, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".git"))
        limits = Limits(timeout_s=_BASELINE_TIMEOUT_S)
        plain = await Sandbox(ws, limits, backend=backend, venv=src.env).arun(src.test_cmd)
    if plain.exit_code != 0:
        raise MineError(
            f"the test command `{src.test_cmd}` fails on the unmodified code of {src.name} "
            f"(exit {plain.exit_code}{', timed out' if plain.timed_out else ''}); mined tasks need a green "
            f"suite to start from. What failed:\n{explain_failure(plain.output)}"
        )
    why = "its command is not `python -m ...`" if result is None else "the run under coverage failed"
    return None, plain.duration_s, f"no coverage ({why}): every line a candidate, checked by the full suite"


def _executes_source(cov: CoverageMap, src: CodeSource) -> bool:
    return any(cov.lines.get(rel) for rel in src.src_files)


@dataclass
class Plan:
    """A source's candidates, in the order they are checked, and what is known about its suite."""

    queue: list[Task]
    coverage: CoverageMap | None
    suite_s: float


async def plan(
    src: CodeSource, families: tuple[str, ...], backend: str, report: MineReport, seed: int = 0
) -> Plan:
    """Run the suite once (under coverage where it can), then build and order the candidates."""
    cov, suite_s, report.coverage = await _baseline(src, backend)
    if cov is not None:
        src.executed = {rel: frozenset(by_line) for rel, by_line in cov.lines.items()}
    pools = {f: _BUILDERS[f](src) for f in families}
    if cov is not None:
        everything = dataclasses.replace(src, executed=None)
        every = sum(len(_BUILDERS[f](everything)) for f in families)
        report.uncovered = every - sum(len(p) for p in pools.values())
    queue = spread(pools, seed)
    report.built = len(queue)
    return Plan(queue, cov, suite_s)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:12]


def mine_source(
    src: CodeSource,
    max_tasks: int = 100,
    families: tuple[str, ...] = ("debugging", "coding"),
    backend: str = "bwrap",
    on_checked: Callable[[Task, bool], None] | None = None,
    seed: int = 0,
    report: MineReport | None = None,
    workers: int = WORKERS,
) -> Mined:
    """Valid tasks of ``src`` (at most ``max_tasks``, spread over ``families``, modules and functions)."""
    started = time.monotonic()
    report = report or MineReport(src.name)

    async def run() -> list[Task]:
        p = await plan(src, families, backend, report, seed)
        timeout = max(_CHECK_TIMEOUT_S, 3 * p.suite_s)
        cache, keep = default_cache(), []
        # A sliding window: ``workers`` checks run at once and a finished one is replaced at once (a
        # batch would wait for its slowest check). Answers are taken in queue order, so the tasks kept
        # are the first ``max_tasks`` valid ones of the spread, whatever the number of workers.
        slots, stopped = asyncio.Semaphore(max(1, workers)), asyncio.Event()

        async def check(task: Task) -> str | None:
            async with slots:
                if stopped.is_set():  # enough tasks: the look-ahead not started is dropped
                    return None
                return await _cached_check(task, src, p.coverage, backend, timeout, cache)

        ahead = 4 * max(1, workers)
        pending: deque[tuple[Task, asyncio.Future]] = deque()
        queue = iter(p.queue)
        try:
            while len(keep) < max_tasks:
                while len(pending) < ahead and (task := next(queue, None)) is not None:
                    pending.append((task, asyncio.ensure_future(check(task))))
                if not pending:
                    break
                task, answer = pending.popleft()
                why = await answer
                report.tried += 1
                if why is None:
                    keep.append(task)
                else:
                    report.rejected[why] += 1
                if on_checked:
                    on_checked(task, why is None)
        finally:  # checks already running finish (a sandbox in a thread cannot be cancelled)
            stopped.set()
            await asyncio.gather(*(answer for _, answer in pending), return_exceptions=True)
        report.kept = len(keep)
        return keep

    tasks = asyncio.run(run())
    report.seconds = time.monotonic() - started
    return Mined(tasks, report)


async def _cached_check(
    task: Task, src: CodeSource, cov: CoverageMap | None, backend: str, timeout: float, cache
) -> str | None:
    key = validity_key(task)
    known = cache.get(key)
    if known is not None:
        return None if known else "not caught by the tests (remembered)"
    cmd = _command_for(task, src, cov)
    why = await _check(task, cmd, backend, timeout)
    if why == "tests not selected" and cmd != src.test_cmd:
        # The named tests were not collected: a change that breaks the import of the tests' modules
        # (pytest then finds no such test). The full command says whether the suite catches it.
        why = await _check(task, src.test_cmd, backend, timeout)
    if why not in ("tests not selected", "timed out"):  # a timeout may pass when the machine is quieter
        cache.put(key, why is None)
    return why


def prepare_source(
    repo: Path, test_cmd: str, requirements: list[str] | None, name: str, kind: str = "repo"
) -> tuple[CodeSource, MineReport]:
    """Copy ``repo`` into the cache as a source; with ``requirements`` (a list, even empty), give it its
    own environment holding them (built once, then reused)."""
    root = copy_repo(repo, name)
    src = repo_source(root, test_cmd, name, kind)
    report = MineReport(src.name)
    if requirements is not None:
        started = time.monotonic()
        try:
            path, built = ensure_env(spec_for(root, test_cmd, requirements))
        except EnvError as exc:
            raise MineError(f"the environment of {src.name} could not be built: {exc}") from None
        src.env = str(path)
        how = f"built in {time.monotonic() - started:.0f} s" if built else "reused"
        report.env = f"environment {how}: {path}"
    return src, report


def mine(
    repo: Path,
    test_cmd: str,
    max_tasks: int = 100,
    families: tuple[str, ...] = ("debugging", "coding"),
    backend: str = "bwrap",
    on_checked: Callable[[Task, bool], None] | None = None,
    requirements: list[str] | None = None,
    name: str | None = None,
    kind: str = "repo",
    seed: int = 0,
    workers: int = WORKERS,
) -> Mined:
    """Copy ``repo`` into the cache and mine it (see ``prepare_source`` and ``mine_source``)."""
    src, report = prepare_source(repo, test_cmd, requirements, name or Path(repo).resolve().name, kind)
    return mine_source(src, max_tasks, families, backend, on_checked, seed, report, workers)
