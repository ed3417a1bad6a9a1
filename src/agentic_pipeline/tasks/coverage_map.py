"""Which tests execute which lines: the suite run once under ``coverage`` with per-test contexts.

Mining mutates only lines some test executes (a bug on a line no test runs can never be caught),
and checks a candidate by running only the tests that execute its lines: a subset of the suite,
under the same command, so when they fail the full command fails too. The run happens in the
sandbox, on a pristine copy, with the source's environment; coverage (this package's pinned
dependency) is copied into that copy and put on PYTHONPATH, so an environment need not hold it.

Contexts name test functions like coverage's ``test_function`` ones ("pkg.tests.test_x.TestA.test_b",
the class being the one collected, see ``_PLUGIN``); they are mapped
back to the test files they name (pytest node ids, or unittest dotted names when the module is
importable from the root). Lines run outside any test (at import, at collection) have the empty
context: a candidate on lines run only there is checked with the full command.
"""

from __future__ import annotations

import shlex
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from agentic_pipeline.sandbox import ExecResult, Limits, Sandbox

# coverage's own ``test_function`` contexts name a method by the class that defines it: a test of a
# mixin (``CacheTestMixin.test_get``, run by ten concrete test classes) names no collectable test.
# This plugin names the class of ``self`` instead, the one pytest and unittest collect.
_PLUGIN = """import coverage


class _Contexts(coverage.CoveragePlugin):
    def dynamic_context(self, frame):
        code = frame.f_code
        if not (code.co_name.startswith("test") or code.co_name == "runTest"):
            return None
        if code.co_argcount and code.co_varnames[0] == "self":
            obj = frame.f_locals.get("self")
            if obj is not None and callable(getattr(obj, code.co_name, None)):
                cls = type(obj)
                return f"{cls.__module__}.{cls.__qualname__}.{code.co_name}"
        if frame.f_globals.get(code.co_name) is not None:
            return f"{frame.f_globals.get('__name__')}.{code.co_name}"
        return None


def coverage_init(reg, options):
    reg.add_dynamic_context(_Contexts())
"""
RCFILE = ".agentic-coveragerc"
DATA_FILE = ".agentic-coverage"
TOOLS = ".agentic-tools"
_RUN_TIMEOUT_S = 900.0
# Beyond this many tests a candidate's run is narrowed to their files; beyond this many files, the
# full command runs (a line every test executes is checked by the whole suite anyway).
_MAX_IDS = 150
# pytest options that take the next argument as their value (that value is not a test path).
_VALUE_OPTIONS = {
    "-p", "-k", "-m", "-c", "-o", "-W", "-n", "--rootdir", "--confcutdir", "--basetemp", "--ignore",
    "--deselect", "--durations", "--maxfail", "--tb", "--import-mode", "--override-ini",
}  # fmt: skip


@dataclass
class CoverageMap:
    """Per source file (relative to the root): line -> the contexts that executed it."""

    lines: dict[str, dict[int, frozenset[str]]] = field(default_factory=dict)

    def runs(self, rel: str, lines: Iterable[int]) -> bool:
        """Whether any test (or the import of the code under test) executes one of ``lines``."""
        by_line = self.lines.get(rel, {})
        return any(n in by_line for n in lines)

    def contexts(self, rel: str, lines: Iterable[int]) -> set[str]:
        by_line = self.lines.get(rel, {})
        return {c for n in lines for c in by_line.get(n, ())}

    def to_json(self) -> dict:
        return {rel: {str(n): sorted(c) for n, c in by_line.items()} for rel, by_line in self.lines.items()}

    @classmethod
    def from_json(cls, obj: dict) -> CoverageMap:
        return cls({rel: {int(n): frozenset(c) for n, c in by_line.items()} for rel, by_line in obj.items()})


def coverage_command(test_cmd: str) -> str | None:
    """``python -m X ARGS`` run under coverage; None for a command of another shape."""
    try:
        argv = shlex.split(test_cmd)
    except ValueError:
        return None
    if len(argv) < 3 or argv[:2] != ["python", "-m"]:
        return None
    return shlex.join(["python", "-m", "coverage", "run", f"--rcfile={RCFILE}", "-m", *argv[2:]])


async def measure(
    root: Path, test_cmd: str, backend: str, venv: str | None
) -> tuple[ExecResult | None, CoverageMap | None]:
    """Run ``test_cmd`` under coverage on a copy of ``root``: (the run, the map); (None, None) when the
    command has no form coverage can wrap, (run, None) when it failed."""
    import coverage

    cmd = coverage_command(test_cmd)
    if cmd is None:
        return None, None
    with tempfile.TemporaryDirectory(prefix="agentic-coverage-") as tmp:
        ws = Path(tmp) / "ws"
        shutil.copytree(root, ws, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".git"))
        shutil.copytree(Path(coverage.__file__).parent, ws / TOOLS / "coverage")
        (ws / TOOLS / "agentic_contexts.py").write_text(_PLUGIN)
        (ws / RCFILE).write_text(
            f"[run]\ndata_file = {DATA_FILE}\nplugins = agentic_contexts\nsource = .\n"
            f"relative_files = true\nomit = {TOOLS}/*\n"
        )
        probe = Sandbox(ws, backend=backend, venv=venv)
        sandbox = Sandbox(
            ws, Limits(timeout_s=_RUN_TIMEOUT_S), backend=backend, venv=venv,
            env={"PYTHONPATH": f"{probe.workdir}/{TOOLS}"},
        )  # fmt: skip
        result = await sandbox.arun(cmd, timeout=_RUN_TIMEOUT_S)
        if result.exit_code != 0 or not (ws / DATA_FILE).is_file():
            return result, None
        data = coverage.CoverageData(basename=str(ws / DATA_FILE))
        data.read()
        out = CoverageMap()
        for name in data.measured_files():
            rel = Path(name)
            if rel.is_absolute():
                try:
                    rel = rel.relative_to(probe.workdir)
                except ValueError:
                    continue
            by_line = data.contexts_by_lineno(name)
            out.lines[str(rel)] = {n: frozenset(c) for n, c in by_line.items()}
        return result, out


# ----------------------------------------------------------------------------- narrowed commands


def _test_index(test_files: Iterable[str]) -> dict[str, list[tuple[str, bool]]]:
    """Dotted module name (every suffix of the path) -> [(test file, whether the name is the full path)]."""
    index: dict[str, list[tuple[str, bool]]] = {}
    for rel in test_files:
        if not rel.endswith(".py"):
            continue
        parts = rel[:-3].split("/")
        for k in range(len(parts)):
            index.setdefault(".".join(parts[k:]), []).append((rel, k == 0))
    return index


def _locate(context: str, index: dict[str, list[tuple[str, bool]]]) -> tuple[str, bool, list[str]] | None:
    """(test file, importable from the root by that name, the rest of the qualname), or None."""
    parts = context.split(".")
    for i in range(len(parts) - 1, 0, -1):
        hits = index.get(".".join(parts[:i]))
        if hits:
            return (*hits[0], parts[i:]) if len(hits) == 1 else None
    return None


def narrowed_command(test_cmd: str, contexts: set[str], test_files: Iterable[str], root: Path) -> str:
    """``test_cmd`` narrowed to the tests named by ``contexts``; ``test_cmd`` itself when they cannot
    all be named (an unknown runner, a test that names no test file) or when the lines run only outside
    any test (at import). A line run both at import and by tests is checked by those tests: what they
    catch, the full suite catches; a change only an import would show is lost, never wrongly kept."""
    try:
        argv = shlex.split(test_cmd)
    except ValueError:
        return test_cmd
    contexts = contexts - {""}
    if not contexts or len(argv) < 3 or argv[:2] != ["python", "-m"]:
        return test_cmd
    runner = argv[2]
    index = _test_index(test_files)
    located = [_locate(c, index) for c in sorted(contexts)]
    if any(loc is None for loc in located):
        return test_cmd
    if runner == "pytest":
        ids = sorted({f"{rel}::{'::'.join(rest)}" for rel, _, rest in located})
        if len(ids) > _MAX_IDS:
            ids = sorted({rel for rel, _, _ in located})
        if len(ids) > _MAX_IDS:
            return test_cmd
        return shlex.join([*argv[:3], *_options(argv[3:], root), *ids])
    if runner == "unittest" and "discover" not in argv and all(full for _, full, _ in located):
        mods = {rel[:-3].replace("/", ".") for rel, _, _ in located}
        names = sorted({f"{rel[:-3].replace('/', '.')}.{'.'.join(rest)}" for rel, _, rest in located})
        names = names if len(names) <= _MAX_IDS else sorted(mods)
        opts = [a for a in argv[3:] if a.startswith("-")]
        return shlex.join([*argv[:3], *opts, *names])
    return test_cmd


def _options(args: list[str], root: Path) -> list[str]:
    """The arguments of a pytest command that are not test paths."""
    out, prev = [], ""
    for a in args:
        positional = not a.startswith("-") and prev not in _VALUE_OPTIONS
        if not (positional and (root / a.split("::")[0]).exists()):
            out.append(a)
        prev = a
    return out
