"""Run a task's verifier on a workspace: fresh commands in the sandbox, nothing taken from the agent's word.

Before the test command runs:
- pinned files (the tests as shipped) are written back;
- a ``conftest.py``, ``pytest.ini`` or test module (``test_*.py``) the agent added is removed (pytest
  imports every test module before running any: one that exits 0 at import would end the run green);
- pytest settings the agent wrote into ``pyproject.toml``, ``setup.cfg`` or ``tox.ini`` (an
  ``addopts`` that loads a plugin, a ``python_files`` that collects nothing...) fail the verdict;
- so does a module the agent added that shadows an installed or standard one (a workspace's
  ``pytest.py`` would *be* ``python -m pytest``).
Then the test command runs, then each check. The result says which part failed and shows the tail
of its output.

Not caught: source code that recognises it is under test and behaves differently there. The tests
are the specification; a teacher that games them that way is visible in its trajectory, not here.
"""

from __future__ import annotations

import configparser
import importlib.machinery
import importlib.metadata
import json
import re
import secrets
import shlex
import shutil
import sys
import tempfile
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from agentic_pipeline.sandbox import Limits, Sandbox
from agentic_pipeline.tasks.answers import AnswerCache
from agentic_pipeline.tasks.base import Task, tree_hash
from agentic_pipeline.tasks.predicates import PREDICATES
from agentic_pipeline.tasks.sources import cache_dir

_TEST_TIMEOUT_S = 120.0


@dataclass
class Verdict:
    verified: bool
    verifier: str
    detail: str
    timed_out: bool = False


def test_summary(output: str) -> str:
    """The test runner's own summary line ("34 passed in 0.05s", "Ran 66 tests ... OK"), or the last line."""
    lines = [ln.strip() for ln in output.strip().splitlines() if ln.strip()]
    for ln in reversed(lines):
        if re.search(r"\b\d+ (passed|failed|error)", ln):
            return ln.strip("= ")
    ran = next((ln for ln in reversed(lines) if re.match(r"Ran \d+ tests?", ln)), None)
    if ran:
        return f"{ran}: {lines[-1]}"
    return lines[-1] if lines else "(no output)"


def _tail(text: str, n: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-n:])


# Files through which pytest can be told to skip, deselect or rewrite tests without touching them.
_TEST_CONFIG_NAMES = ("conftest.py", "pytest.ini", ".pytest.ini")
# Shared files that may hold a pytest section: the agent may edit them (a dependency pin, a repaired
# config), but not the section.
_SHARED_CONFIG_NAMES = ("pyproject.toml", "setup.cfg", "tox.ini")
_UNREADABLE = "<unreadable>"


def _drop_added_test_config(workspace: Path, base: Path) -> None:
    """Remove test configuration the agent added (shipped ones are pinned): only the tests decide."""
    for name in _TEST_CONFIG_NAMES:
        for path in workspace.rglob(name):
            rel = path.relative_to(workspace)
            if not (base / rel).exists() and (path.is_file() or path.is_symlink()):
                path.unlink()


def _drop_added_tests(workspace: Path, base: Path, test_dirs: set[str]) -> None:
    """Remove test modules (pytest's default ``test_*.py`` / ``*_test.py``) the agent added under the
    shipped tests' folders: pytest imports every one before running any test, so one that exits 0 at
    import would end the run green. Only the shipped tests decide."""
    for folder in test_dirs:
        for path in (workspace / folder).rglob("*.py"):
            rel = path.relative_to(workspace)
            is_test = path.name.startswith("test_") or path.name.endswith("_test.py")
            if is_test and not (base / rel).exists() and (path.is_file() or path.is_symlink()):
                path.unlink()


def _pytest_section(path: Path) -> object:
    """The pytest settings a file gives, compared by meaning (not by layout); None when it gives none."""
    if not path.is_file():
        return None
    try:
        text = path.read_text()
        if path.name == "pyproject.toml":
            tool = tomllib.loads(text).get("tool", {})
            section = {k: tool[k] for k in ("pytest",) if k in tool}  # pytest >= 9 reads [tool.pytest]
            return section or None
        parser = configparser.ConfigParser(interpolation=None)
        parser.read_string(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, configparser.Error):
        return _UNREADABLE
    name = "tool:pytest" if path.name == "setup.cfg" else "pytest"
    return dict(parser[name]) if parser.has_section(name) else None


def _changed_test_settings(workspace: Path, base: Path) -> str | None:
    """The first shared config file whose pytest section differs from the base's, if any."""
    for name in _SHARED_CONFIG_NAMES:
        for path in sorted(workspace.rglob(name)):
            rel = path.relative_to(workspace)
            if ".git" in rel.parts:
                continue
            mine = _pytest_section(path)
            if mine is None or mine == _UNREADABLE:  # an unreadable file makes pytest fail by itself
                if mine is None and _pytest_section(base / rel) not in (None, _UNREADABLE):
                    return str(rel)  # the shipped section was taken out
                continue
            if mine != _pytest_section(base / rel):
                return str(rel)
    return None


# ----------------------------------------------------------------------------- the test report

# `python -m unittest ARGS` run so that it writes its result to a file: a run that ends early (an
# `os._exit(0)` at import) writes nothing, and a skipped test is counted.
_UNITTEST_RUNNER = (
    "import json, sys, unittest; "
    "p = unittest.main(module=None, argv=['python -m unittest', *sys.argv[2:]], exit=False); r = p.result; "
    "json.dump({'tests': r.testsRun, 'failures': len(r.failures) + len(r.unexpectedSuccesses), "
    "'errors': len(r.errors), 'skipped': len(r.skipped)}, open(sys.argv[1], 'w')); "
    "sys.exit(0 if r.wasSuccessful() else 1)"
)


@dataclass
class TestReport:
    tests: int
    failures: int
    errors: int
    skipped: int

    @property
    def passed(self) -> int:
        return self.tests - self.failures - self.errors - self.skipped


def reported_command(test_cmd: str, report: str) -> str | None:
    """``test_cmd`` made to write its result to ``report`` (a path relative to the workspace), for the
    runners this knows (``python -m pytest``, ``python -m unittest``); None for any other command."""
    try:
        argv = shlex.split(test_cmd)
    except ValueError:
        return None
    if argv[:3] == ["python", "-m", "pytest"]:
        return f"{test_cmd} --junitxml={shlex.quote(report)} -o junit_family=xunit2"
    if argv[:3] == ["python", "-m", "unittest"]:
        return shlex.join(["python", "-c", _UNITTEST_RUNNER, report, *argv[3:]])
    return None


def read_report(path: Path) -> TestReport | None:
    """The counts a run wrote (pytest's JUnit XML or the unittest runner's JSON); None when absent."""
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError):
        return None
    if path.suffix == ".json":
        try:
            row = json.loads(text)
            return TestReport(
                int(row["tests"]), int(row["failures"]), int(row["errors"]), int(row["skipped"])
            )
        except (ValueError, KeyError, TypeError):
            return None
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return None
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    if not suites:
        return None
    total = [sum(int(s.get(k, 0)) for s in suites) for k in ("tests", "failures", "errors", "skipped")]
    return TestReport(*total)


async def _reported_run(cmd: str, sandbox: Sandbox, timeout: float) -> tuple[object, TestReport | None, bool]:
    """Run ``cmd``; when it is a known runner, with a report under a fresh name. Returns the result,
    the report (None when the run wrote none) and whether a report was asked for."""
    suffix = ".json" if "unittest" in cmd.split()[:3] else ".xml"
    name = f".verifier-{secrets.token_hex(8)}{suffix}"
    reported = reported_command(cmd, name)
    result = await sandbox.arun(reported or cmd, timeout=timeout)
    report = None
    if reported:
        path = sandbox.workspace / name
        report = read_report(path)
        path.unlink(missing_ok=True)
    return result, report, reported is not None


_BASELINES: AnswerCache | None = None


def _baselines() -> AnswerCache:
    """Tests passed by each pristine source under its test command, in ``<cache>/test-baselines.jsonl``."""
    global _BASELINES
    if _BASELINES is None or _BASELINES.path.parent != cache_dir():
        _BASELINES = AnswerCache(cache_dir() / "test-baselines.jsonl", "passed")
    return _BASELINES


async def pristine_passed(base: Path, test_cmd: str, backend: str, venv: str | None = None) -> int | None:
    """How many tests pass on the pristine source (run once per source version and environment, then
    remembered)."""
    key = f"{tree_hash(base)}:{test_cmd}" + (f":{venv}" if venv else "")
    known = _baselines().get(key)
    if known is not None:
        return known
    with tempfile.TemporaryDirectory(prefix="agentic-baseline-") as tmp:
        ws = Path(tmp) / "ws"
        shutil.copytree(base, ws, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".git"))
        sandbox = Sandbox(ws, Limits(timeout_s=_TEST_TIMEOUT_S), backend=backend, venv=venv)
        result, report, _ = await _reported_run(test_cmd, sandbox, _TEST_TIMEOUT_S)
    if report is None or result.exit_code != 0:
        return None
    _baselines().put(key, report.passed)
    return report.passed


# ----------------------------------------------------------------------------- the verdict


@cache
def _protected_modules() -> frozenset[str]:
    """Top-level names a workspace must not add: the standard library's and every installed package's."""
    return frozenset(sys.stdlib_module_names) | frozenset(importlib.metadata.packages_distributions())


def _module_name(path: Path) -> str | None:
    if path.is_dir():
        return path.name if (path / "__init__.py").exists() else None  # a bare folder never shadows
    for suffix in importlib.machinery.all_suffixes():
        if path.name.endswith(suffix):
            return path.name[: -len(suffix)]
    return None


def _added_shadow(workspace: Path, base: Path, pinned: list[str]) -> str | None:
    """The first added file or package, in the workspace root or a test folder (both on ``sys.path``
    when the tests run), that would be imported instead of an installed or standard module, or
    instead of a shipped test module (a ``test_x/`` package wins over ``test_x.py`` beside it)."""
    tests = {(str(Path(rel).parent), Path(rel).stem) for rel in pinned if rel.endswith(".py")}
    for folder in sorted({"", *(str(Path(rel).parent) for rel in pinned)}):
        here = workspace / folder
        if not here.is_dir():
            continue
        for path in sorted(here.iterdir()):
            name = _module_name(path)
            rel = path.relative_to(workspace)
            if name is None or (base / rel).exists():
                continue
            if name in _protected_modules() or (str(rel.parent), name) in tests:
                return str(rel)
    return None


async def verify(task: Task, sandbox: Sandbox, timeout: float = _TEST_TIMEOUT_S) -> Verdict:
    """Check the workspace of ``sandbox`` against ``task.verifier`` (each command gets ``timeout`` s)."""
    spec = task.verifier
    pins = dict(spec.pinned)
    for rel in spec.pin_base:
        pins[rel] = (Path(task.base) / rel).read_text()
    if spec.pin_base and task.base:
        _drop_added_test_config(sandbox.workspace, Path(task.base))
        changed = _changed_test_settings(sandbox.workspace, Path(task.base))
        if changed:
            return Verdict(
                False, spec.name, f"the pytest settings in {changed} were changed; only the tests decide"
            )
        _drop_added_tests(sandbox.workspace, Path(task.base), {str(Path(p).parent) for p in spec.pin_base})
        shadow = _added_shadow(sandbox.workspace, Path(task.base), spec.pin_base)
        if shadow:
            return Verdict(
                False, spec.name, f"{shadow} was added and shadows an installed or standard module"
            )
    for rel, text in pins.items():
        path = sandbox.workspace / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink() or path.is_dir():
            return Verdict(False, spec.name, f"{rel} was replaced by a link or folder")
        path.write_text(text)
    parts = []
    if spec.test_cmd:
        result, report, asked = await _reported_run(spec.test_cmd, sandbox, timeout)
        summary = test_summary(result.output)
        if result.exit_code != 0:
            detail = f"tests failed (exit {result.exit_code}): {summary}\n{_tail(result.output)}"
            return Verdict(False, spec.name, detail, timed_out=result.timed_out)
        if asked:
            short = await _short_report(task, sandbox, report)
            if short:
                return Verdict(False, spec.name, f"tests failed: {short}\n{_tail(result.output)}")
        parts.append(summary)
    for check in spec.checks:
        ok, why, timed_out = await _run_check(check, sandbox, timeout)
        if not ok:
            return Verdict(False, spec.name, f"check {check.name} failed: {why}", timed_out=timed_out)
        parts.append(f"{check.name} ok")
    return Verdict(True, spec.name, "; ".join(parts))


async def _short_report(task: Task, sandbox: Sandbox, report: TestReport | None) -> str | None:
    """Why a run that exited 0 still does not count, or None: it wrote no report (it ended early),
    a test failed, or fewer tests passed than on the pristine source (skipped, not collected)."""
    if report is None:
        return "the test run exited 0 without finishing (no report was written)"
    if report.failures or report.errors:
        return f"{report.failures} failed and {report.errors} errors in the runner's report"
    if task.base and task.verifier.pin_base:
        need = await pristine_passed(Path(task.base), task.verifier.test_cmd or "", sandbox.backend, task.env)
        if need is not None and report.passed < need:
            return (
                f"{report.passed} tests passed, {need} pass on the original code ({report.skipped} skipped)"
            )
    elif report.passed == 0:
        return "no test passed"
    return None


async def _run_check(check, sandbox: Sandbox, timeout: float) -> tuple[bool, str, bool]:
    """(passed, why not, timed out)."""
    if check.kind == "ast":
        predicate = PREDICATES[check.name.split(":", 1)[0]]
        return (*predicate(sandbox.workspace, **check.args), False)
    if check.kind == "command":
        result = await sandbox.arun(check.cmd, timeout=timeout)
        if result.timed_out:
            return False, f"`{check.cmd}` timed out after {timeout:.0f} s", True
        if result.exit_code != 0:
            return False, f"`{check.cmd}` exited {result.exit_code}: {_tail(result.output, 8)}", False
        out = result.output.strip()
        if check.expect is not None and out != check.expect.strip():
            return (
                False,
                f"`{check.cmd}` printed {_tail(out, 8)!r}, expected {_tail(check.expect, 8)!r}",
                False,
            )
        missing = [c for c in check.contains if c not in out]
        if missing:
            return False, f"`{check.cmd}` output lacks {missing[0]!r}", False
        return True, "", False
    raise ValueError(f"unknown check kind {check.kind!r}")
