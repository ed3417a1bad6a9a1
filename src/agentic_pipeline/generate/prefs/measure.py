"""Measure a candidate implementation: tests, quality, security findings and timings, for real.

``Measurer.measure(problem, candidate)`` returns a plain JSON-able dict:

- ``tests``: the candidate is written with the agent's ``write_file`` tool into a fresh workspace
  holding the problem's tests, and ``python -m pytest -q`` runs through the ``bash`` tool in the
  bubblewrap sandbox; passed/failed counts come from pytest's summary line. ``observations`` keeps
  both tool outputs verbatim: they are what a preference pair shows as tool results.
- ``quality`` (Python): ruff findings (a fixed, broad rule set, the project's config ignored),
  radon cyclomatic complexity (max and total) and maintainability index, duplicated lines (lines
  in a repeated window of 3 normalized lines), source lines, and mypy errors where mypy is installed.
- ``security``: bandit findings (Python, as a library) or the shell command policy's findings.
- ``timing`` (efficiency problems): ``timing_harness.py`` runs in the sandbox on the problem's
  sizes; best time per size and the fitted growth exponent (slope of log time over log size).

Static analyzers read the code on the host (they never execute it); everything that executes
candidate code runs in the sandbox. Results are cached by (problem, code, tests, tool versions), on
disk when a cache file is given, so a resumed run does not measure again; a cached timing is still a
measurement, stamped with when it was taken.

``measure_all`` measures a problem's candidates at once: in threads here, or, with ``--executor ray``,
as Ray tasks on the cluster's nodes (the driver keeps the cache). Timed candidates (efficiency) are
always measured here, one timing at a time: a node running several jobs at once would time them
against each other, and timings from different machines would not compare.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib.metadata
import json
import logging
import math
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from concurrent.futures import Executor
from functools import cache, partial
from pathlib import Path
from typing import Any

from agentic_pipeline.generate.prefs import command_policy
from agentic_pipeline.generate.prefs.catalog import Candidate, Problem
from agentic_pipeline.jsonl import JsonlAppender, lenient_rows
from agentic_pipeline.sandbox import Limits, Sandbox
from agentic_pipeline.tools import execute_tool

log = logging.getLogger(__name__)

MEASURE_VERSION = 2
TEST_COMMAND = "python -m pytest -q -p no:cacheprovider"
RUFF_SELECT = "E,F,W,B,SIM,UP,C4,RET,PIE,N,PL,C90,TRY203"
RUFF_LINE_LENGTH = 100
RUFF_IGNORE = "PLR2004"  # magic-number comparisons: every grading or limit function "fails" it
TIMING_BUDGET_S = 1.0
_HARNESS = Path(__file__).with_name("timing_harness.py")
_SUMMARY = re.compile(r"(\d+) (passed|failed|errors?|skipped)")


@cache
def tool_versions() -> dict[str, str]:
    """Versions of everything that produced a number, recorded in each pair's evidence."""
    versions = {"python": platform.python_version(), "measure": str(MEASURE_VERSION),
                "ruff_rules": f"select={RUFF_SELECT} ignore={RUFF_IGNORE} line-length={RUFF_LINE_LENGTH}"}  # fmt: skip
    for dist in ("ruff", "radon", "bandit", "pytest", "mypy"):
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def pytest_counts(output: str) -> dict[str, int]:
    """passed/failed/errors/skipped from pytest's last summary line."""
    counts = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}
    lines = [line for line in output.splitlines() if _SUMMARY.search(line)]
    if lines:
        for number, word in _SUMMARY.findall(lines[-1]):
            counts["errors" if word.startswith("error") else word] = int(number)
    return counts


# ---------------------------------------------------------------------------------------------
# Static measurements (host side: the code is read, never run)


def _ruff_findings(code: str, filename: str) -> list[dict[str, Any]]:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    cmd = [ruff, "check", "--isolated", "--line-length", str(RUFF_LINE_LENGTH), "--select", RUFF_SELECT,
           "--ignore", RUFF_IGNORE, "--output-format", "json", "--stdin-filename", filename, "-"]  # fmt: skip
    done = subprocess.run(cmd, input=code, capture_output=True, text=True, timeout=60)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"ruff failed on {filename}: {done.stderr.strip()}")
    return [
        {"code": f["code"], "line": f["location"]["row"], "message": f["message"]}
        for f in json.loads(done.stdout)
    ]


def duplicated_lines(code: str, window: int = 3) -> int:
    """Lines that belong to a run of ``window`` normalized lines occurring more than once."""
    lines = [line.strip() for line in code.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#") and len(line) > 3]
    windows = [tuple(lines[i : i + window]) for i in range(len(lines) - window + 1)]
    counts = Counter(windows)
    duplicated: set[int] = set()
    for i, w in enumerate(windows):
        if counts[w] > 1:
            duplicated.update(range(i, i + window))
    return len(duplicated)


def _mypy_errors(code: str, filename: str) -> int | None:
    if shutil.which("mypy") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / filename
        path.write_text(code)
        done = subprocess.run(["mypy", "--no-error-summary", "--ignore-missing-imports", str(path)],
                              capture_output=True, text=True, timeout=120)  # fmt: skip
    return sum(1 for line in done.stdout.splitlines() if ": error:" in line)


def quality_metrics(code: str, filename: str) -> dict[str, Any]:
    from radon.complexity import cc_visit
    from radon.metrics import mi_visit
    from radon.raw import analyze

    ruff = _ruff_findings(code, filename)
    blocks = cc_visit(code)
    metrics: dict[str, Any] = {
        "ruff_findings": len(ruff),
        "ruff_codes": dict(sorted(Counter(f["code"] for f in ruff).items())),
        "cc_max": max((b.complexity for b in blocks), default=1),
        "cc_total": sum(b.complexity for b in blocks),
        "maintainability": round(mi_visit(code, multi=True), 2),
        "duplicated_lines": duplicated_lines(code),
        "sloc": analyze(code).sloc,
    }
    mypy = _mypy_errors(code, filename)
    if mypy is not None:
        metrics["mypy_errors"] = mypy
    return metrics


_bandit_lock = threading.Lock()


def bandit_findings(code: str, filename: str) -> list[dict[str, Any]]:
    """bandit's issues for one file, run as a library (its manager is not thread-safe: one at a time)."""
    # bandit loads its plugins through stevedore on import, which logs an error for the optional
    # SARIF formatter when its extra dependency is absent; we never use that formatter.
    logging.getLogger("stevedore.extension").setLevel(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # stevedore's verify_requirements notice
        from bandit.core import config as bandit_config
        from bandit.core import manager as bandit_manager

    with tempfile.TemporaryDirectory() as tmp, _bandit_lock:
        path = Path(tmp) / filename
        path.write_text(code)
        manager = bandit_manager.BanditManager(bandit_config.BanditConfig(), "file", quiet=True)
        manager.discover_files([str(path)])
        manager.run_tests()
        issues = manager.get_issue_list()
    return [
        {
            "test_id": i.test_id,
            "severity": i.severity,
            "confidence": i.confidence,
            "line": i.lineno,
            "text": i.text,
        }
        for i in issues
    ]


def security_findings(code: str, filename: str) -> dict[str, Any]:
    if filename.endswith(".sh"):
        findings = [f.as_dict() for f in command_policy.check(code)]
        return {"analyzer": "command_policy", "findings": findings, "risk": command_policy.risk(
            [command_policy.Finding(**f) for f in findings])}  # fmt: skip
    findings = bandit_findings(code, filename)
    risk = sum(command_policy.SEVERITY_WEIGHT[f["severity"]] for f in findings)
    return {"analyzer": "bandit", "findings": findings, "risk": risk}


# ---------------------------------------------------------------------------------------------
# Sandbox measurements


def growth_exponent(points: list[dict[str, float]]) -> float | None:
    """Least-squares slope of log(seconds) over log(n): ~1 linear, ~2 quadratic."""
    pts = [(math.log(p["n"]), math.log(max(p["seconds"], 1e-9))) for p in points]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    var = sum((x - mx) ** 2 for x, _ in pts)
    return round(sum((x - mx) * (y - my) for x, y in pts) / var, 3) if var else None


class Measurer:
    """Measures candidates; one instance per run (it holds the cache and the sandbox settings)."""

    def __init__(
        self, cache_file: Path | None = None, backend: str = "bwrap", limits: Limits | None = None
    ) -> None:
        self.backend = backend
        self.limits = limits or Limits(timeout_s=120.0)
        self.cache_file = cache_file
        self._cache: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._timing_lock = threading.Lock()
        if cache_file:
            # a torn last line from a killed run is skipped: that candidate is measured again
            for entry in lenient_rows(cache_file):
                self._cache[entry["key"]] = entry["measurement"]

    def _key(self, problem: Problem, candidate: Candidate) -> str:
        parts = [problem.key, problem.file, candidate.code, json.dumps(problem.tests, sort_keys=True),
                 problem.perf_source or "", ",".join(map(str, problem.sizes)), json.dumps(tool_versions())]  # fmt: skip
        return hashlib.sha256("\x00".join(parts).encode()).hexdigest()

    def measure(self, problem: Problem, candidate: Candidate) -> dict[str, Any]:
        key = self._key(problem, candidate)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        return self._store(key, self._measure(problem, candidate))

    def measure_all(
        self, problem: Problem, candidates: list[Candidate], pool: Executor, executor: Any = None
    ) -> list[dict[str, Any]]:
        """Every candidate's measurement, in ``pool``'s threads, or those not cached on the nodes of a
        Ray ``executor`` (``generate.distributed``); timed (efficiency) ones always here."""
        if executor is None or executor.name == "local" or problem.category == "efficiency":
            return list(pool.map(lambda c: self.measure(problem, c), candidates))
        with self._lock:
            todo = {self._key(problem, c): c for c in candidates if self._key(problem, c) not in self._cache}

        async def on_the_nodes() -> list[dict[str, Any]]:
            return await asyncio.gather(
                *(
                    executor.call(
                        f"measure:{key[:16]}",
                        partial(measure_elsewhere, self.backend, self.limits, problem, c),
                    )
                    for key, c in todo.items()
                )
            )

        for key, measurement in zip(todo, asyncio.run(on_the_nodes()), strict=True):
            self._store(key, measurement)
        return [self.measure(problem, c) for c in candidates]  # all known now

    def _store(self, key: str, measurement: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._cache[key] = measurement
            if self.cache_file:
                # a whole line per measurement, fsynced; a torn tail left by a kill is trimmed first
                writer = JsonlAppender(self.cache_file)
                try:
                    writer.append({"key": key, "measurement": measurement})
                finally:
                    writer.close()
        return measurement

    def _measure(self, problem: Problem, candidate: Candidate) -> dict[str, Any]:
        result: dict[str, Any] = {
            "candidate": candidate.name,
            "origin": candidate.origin,
            "digest": candidate.digest,
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        result.update(self.run_tests(problem, candidate))
        if problem.language == "python":
            result["quality"] = quality_metrics(candidate.code, problem.file)
        result["security"] = security_findings(candidate.code, problem.file)
        if problem.category == "efficiency" and result["tests"]["ok"]:
            result["timing"] = self.time_candidate(problem, candidate)
        return result

    def _workspace(self) -> Path:
        return Path(tempfile.mkdtemp(prefix="agentic-prefs-"))

    def run_tests(self, problem: Problem, candidate: Candidate) -> dict[str, Any]:
        """Write the candidate with the write_file tool and run the tests with the bash tool."""
        workspace = self._workspace()
        try:
            for name, text in problem.tests.items():
                (workspace / name).write_text(text)
            sandbox = Sandbox(workspace, self.limits, backend=self.backend)
            wrote = execute_tool(sandbox, "write_file", {"path": problem.file, "content": candidate.code})
            ran = execute_tool(sandbox, "bash", {"command": TEST_COMMAND})
        finally:
            shutil.rmtree(workspace, ignore_errors=True)
        exit_code = (
            int(ran.content.rsplit("[exit code: ", 1)[-1].rstrip("]"))
            if "[exit code: " in ran.content
            else -1
        )
        counts = pytest_counts(ran.content)
        ok = exit_code == 0 and counts["passed"] > 0 and counts["failed"] == 0 and counts["errors"] == 0
        return {
            "tests": {**counts, "exit_code": exit_code, "ok": ok, "command": TEST_COMMAND},
            "observations": {"write_file": wrote.content, "tests": ran.content},
        }

    def time_candidate(self, problem: Problem, candidate: Candidate) -> dict[str, Any]:
        """Best time per input size, measured in the sandbox, and the fitted growth exponent."""
        workspace = self._workspace()
        try:
            (workspace / problem.file).write_text(candidate.code)
            (workspace / "perf.py").write_text(problem.perf_source or "")
            shutil.copy(_HARNESS, workspace / "_timing.py")
            module = Path(problem.file).stem
            sizes = ",".join(str(n) for n in problem.sizes)
            # one timing at a time: two timed runs sharing the CPU would slow each other down
            with self._timing_lock:
                run = Sandbox(workspace, self.limits, backend=self.backend).run(
                    f"python _timing.py {module} {problem.entry} {sizes} {TIMING_BUDGET_S}"
                )
        finally:
            shutil.rmtree(workspace, ignore_errors=True)
        if run.exit_code != 0:
            return {
                "ok": False,
                "error": run.output[-2000:],
                "exit_code": run.exit_code,
                "timed_out": run.timed_out,
            }
        points = json.loads(run.output.strip().splitlines()[-1])
        return {
            "ok": True,
            "points": points,
            "growth_exponent": growth_exponent(points),
            "budget_s": TIMING_BUDGET_S,
        }


async def measure_elsewhere(
    backend: str, limits: Limits, problem: Problem, candidate: Candidate
) -> dict[str, Any]:
    """On a node of a Ray cluster: one candidate's measurement (the driver caches it)."""
    return Measurer(None, backend=backend, limits=limits)._measure(problem, candidate)
