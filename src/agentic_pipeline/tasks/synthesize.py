"""New coding and debugging tasks from small projects a teacher LLM writes, each verified in the sandbox.

The shipped projects and stdlib modules give a few hundred distinct coding tasks; a large run needs
thousands. For each topic index (a subject x an API style x a twist, from ``synth_topics.txt``,
deterministic by seed and index) the teacher is asked for a small pure-Python project: one or two
modules with docstrings and a pytest file, as ``FILE: path`` lines each followed by a fenced block.
A reply is kept only if every check passes, in this order:

1. it parses into files (``parse_files``) at safe relative paths (no ``..``, nothing absolute);
2. every file is Python that parses, imports only the standard library, the project itself and
   (in tests) pytest, and no module name shadows the standard library;
3. the sources are within the size window and documented;
4. its tests pass on the original code in the sandbox, twice (a flaky suite is rejected), with at
   least ``min_tests`` tests;
5. the existing builders (``code_families``) give at least one task ``task_is_valid`` accepts.

A failed reply is sent back once with the reason and the test output (``retries``); a second failure
drops the topic with its reason (the raw reply is kept under the run's ``replies/`` folder).

An accepted project is stored content-addressed in ``<cache>/synth/<slug>-<hash>`` (the task
workspaces point at it) and its tasks are appended to the output JSONL. Resume: the run folder
``<out stem>.synth/`` holds ``projects.jsonl`` (one line per topic decided, plus one when its tasks
are written) and the cost ledger; a re-run skips every decided topic index (never paying twice) and
finishes writing the tasks of a project accepted just before a kill. The run itself (the teacher,
the worker pool, the project log) is ``generate.synthesize``; this module checks what the teacher writes.
"""

from __future__ import annotations

import ast
import json
import logging
import random
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from agentic_pipeline.sandbox import Limits, Sandbox
from agentic_pipeline.tasks.base import Task, tree_hash
from agentic_pipeline.tasks.code_families import coding_tasks, debugging_tasks
from agentic_pipeline.tasks.sources import CodeSource, cache_dir
from agentic_pipeline.tasks.validity import task_is_valid

log = logging.getLogger(__name__)

TOPICS_FILE = Path(__file__).with_name("synth_topics.txt")
SYNTH_FAMILIES = ("coding", "debugging")
_BUILDERS: dict[str, Callable[[CodeSource], list[Task]]] = {
    "coding": coding_tasks,
    "debugging": debugging_tasks,
}

STYLES = (
    "a module of pure functions",
    "a small class-based API built on immutable value objects (frozen dataclasses)",
    "one stateful class with clear methods, plus a few module-level helper functions",
    "a package of two modules: a core data model and a second module of operations on it",
)
TWISTS = (
    "validate inputs and raise a custom exception class (a subclass of ValueError) with helpful messages",
    "support round-tripping: whatever is parsed or built can be formatted back exactly",
    "offer generator-based iteration helpers alongside the main API",
    "keep every operation deterministic and state its complexity in the docstrings",
    "take a small configuration dataclass that changes the behaviour of the main functions",
    "handle edge cases explicitly: empty inputs, boundaries, duplicates and very large values",
)

# Modules a pure-computation library has no business importing (processes, network, GUI, signals).
FORBIDDEN_MODULES = frozenset(
    {"subprocess", "socket", "ssl", "ctypes", "multiprocessing", "tkinter", "turtle", "http", "urllib",
     "ftplib", "smtplib", "poplib", "imaplib", "webbrowser", "signal", "pty", "socketserver", "xmlrpc",
     "asyncio", "threading", "concurrent", "sqlite3", "shutil", "tempfile"}
)  # fmt: skip
RESERVED_NAMES = frozenset({"conftest", "setup", "pytest", "_pytest", "test", "tests", "sitecustomize"})
_SAFE_PART = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.py)?$")

SYSTEM_PROMPT = (
    "You are an expert Python engineer who writes small, well-tested libraries. You answer with files "
    "only, in exactly the format asked for."
)

USER_PROMPT = """Write a small, self-contained Python library about: {subject}.
Design it as {style}; {twist}.

Requirements:
- Python 3.11, standard library only (the tests may also import pytest). No network, no subprocesses,
  no threads or asyncio, no files outside pytest's tmp_path (no tempfile or shutil), no sleeping, no
  unseeded randomness.
- Source: one or two modules, either top-level `<name>.py` files or a package folder `<name>/` with an
  `__init__.py`. Pick a distinctive module name that is not a standard-library module name.
  Between {min_lines} and {max_lines} lines of source in total (aim for 150-400).
- Docstrings: every module, class and public function has one saying what it does, its arguments and
  what it returns or raises.
- Tests: one or two files `tests/test_<topic>.py` using plain pytest functions, importing the library by
  absolute import (`from <name> import ...`). At least {min_tests} tests. Check exact values with
  `assert ... == ...` and errors with `pytest.raises`; cover normal cases, edge cases and every public
  function, so that removing the body of any function, or changing any operator or constant in it,
  makes at least one test fail. The whole suite must pass and run in under five seconds.

Reply with the files and nothing else. Each file is a line `FILE: <relative path>` followed by a fenced
code block with its complete content, for example:

FILE: mylib/__init__.py
```python
\"\"\"...\"\"\"
```

FILE: tests/test_mylib.py
```python
...
```"""

FEEDBACK_PROMPT = """That project was rejected: {reason}
{output}
Fix the problem and send the complete corrected project again: every file, in the same format (a
`FILE: <relative path>` line followed by a fenced code block for each file), nothing else."""


# ----------------------------------------------------------------------------- topics


@dataclass(frozen=True)
class Topic:
    index: int
    domain: str
    subject: str
    style: str
    twist: str
    variant: int = 0

    @property
    def text(self) -> str:
        tail = f" (variant {self.variant + 1}: choose a different feature set)" if self.variant else ""
        return f"{self.subject}, as {self.style}; {self.twist}{tail}"

    @property
    def slug(self) -> str:
        words = re.findall(r"[a-z0-9]+", self.subject.lower())
        return "-".join(words)[:40].strip("-") or "project"


def subjects() -> list[tuple[str, str]]:
    """(domain, subject) pairs of the shipped topic list."""
    out = []
    for line in TOPICS_FILE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            domain, _, subject = line.partition("|")
            out.append((domain.strip(), subject.strip()))
    return out


def topic(seed: int, index: int) -> Topic:
    """The topic at ``index``: every subject once per round (in a seeded order), each round with another
    style x twist for that subject; after every combination, the cycle repeats as numbered variants."""
    subs = subjects()
    order = list(range(len(subs)))
    random.Random(f"synth-subjects-{seed}").shuffle(order)
    round_, pos = divmod(index, len(subs))
    domain, subject = subs[order[pos]]
    combos = [(s, t) for s in STYLES for t in TWISTS]
    random.Random(f"synth-combos-{seed}-{subject}").shuffle(combos)
    variant, k = divmod(round_, len(combos))
    style, twist = combos[k]
    return Topic(index, domain, subject, style, twist, variant)


def topic_count() -> int:
    """Distinct topics before variants repeat a combination."""
    return len(subjects()) * len(STYLES) * len(TWISTS)


# ----------------------------------------------------------------------------- parsing and static checks


class Rejected(Exception):
    """A reply that is not an acceptable project: ``stage`` and a reason for people (and the teacher)."""

    def __init__(self, stage: str, reason: str, output: str = "") -> None:
        super().__init__(reason)
        self.stage, self.reason, self.output = stage, reason, output


_FILE_LINE = re.compile(r"^[#*>\s]*(?:FILE|File|file|PATH|Path)\s*:\s*[`*]*\s*(?P<path>[^\s`*]+)[`*]*\s*$")
_FIRST_LINE_PATH = re.compile(r"^#\s*(?:(?:file|path)\s*:\s*)?(?P<path>[\w./-]+\.py)\s*$", re.I)
_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})\s*(?P<info>[^\n`]*)$")


def parse_files(text: str) -> dict[str, str]:
    """Files of a reply: ``FILE: path`` lines each followed by a fenced block (or a fence whose info
    names the path, e.g. ```python tests/test_x.py``, or a block whose first line is ``# path.py``), or
    a JSON object ``{"files": {path: text}}``.
    Raises ``Rejected`` when none is found or a path repeats."""
    files: dict[str, str] = {}
    lines = text.splitlines()
    pending: str | None = None
    i = 0
    while i < len(lines):
        m = _FILE_LINE.match(lines[i])
        fence = _FENCE.match(lines[i].strip())
        if m:
            pending = m.group("path")
        elif fence:
            close, body, i = fence.group("fence"), [], i + 1
            while i < len(lines) and lines[i].strip() != close:
                body.append(lines[i])
                i += 1
            named = [w.split("=", 1)[-1].strip("\"'") for w in fence.group("info").split()]
            path = pending or next((w for w in named if w.endswith(".py")), None)
            first = _FIRST_LINE_PATH.match(body[0]) if body and path is None else None
            if first:  # ```python / # mylib/core.py / ...: the path as the block's first comment
                path, body = first.group("path"), body[1:]
            if path is not None:
                if path in files:
                    raise Rejected("parse", f"the file {path} appears twice in the reply")
                files[path] = "\n".join(body).rstrip() + "\n"
            pending = None
        i += 1
    if not files:
        files = _json_files(text)
    if not files:
        raise Rejected(
            "parse",
            "no files found in the reply (expected `FILE: <path>` lines, each followed by a fenced code block)",
        )
    return files


def _json_files(text: str) -> dict[str, str]:
    m = re.search(r"\{.*\}", text, re.S)
    if not m:
        return {}
    try:
        obj = json.loads(m.group(0))
    except json.JSONDecodeError:
        return {}
    files = obj.get("files") if isinstance(obj, dict) else None
    if isinstance(files, list):
        files = {f.get("path"): f.get("content") for f in files if isinstance(f, dict)}
    if not isinstance(files, dict):
        return {}
    return {str(k): str(v) for k, v in files.items() if isinstance(k, str) and isinstance(v, str)}


def check_path(path: str) -> str | None:
    """Why ``path`` is not a safe project file path (None: it is)."""
    if not path or path.startswith(("/", "\\", "~")) or "\\" in path or re.match(r"^[A-Za-z]:", path):
        return f"{path!r} is not a relative path"
    parts = PurePosixPath(path).parts
    if ".." in parts or "." in parts:
        return f"{path!r} leaves the project folder (`..` or `.` in the path)"
    if len(parts) > 3:
        return f"{path!r} is nested too deep (at most a package folder or tests/)"
    if not path.endswith(".py"):
        return f"{path!r}: only Python files are allowed"
    bad = next((p for p in parts if not _SAFE_PART.match(p)), None)
    if bad is not None:
        return f"{path!r}: {bad!r} is not a valid Python module or package name"
    return None


def is_test_path(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return parts[0] == "tests" or parts[-1].startswith("test_")


@dataclass
class Project:
    files: dict[str, str]
    src_files: list[str]
    test_files: list[str]
    src_lines: int

    @property
    def test_cmd(self) -> str:
        return "python -m pytest -q -x -p no:cacheprovider " + " ".join(self.test_files)

    @property
    def count_cmd(self) -> str:  # every test runs, so the summary counts them all
        return "python -m pytest -q -p no:cacheprovider " + " ".join(self.test_files)


@dataclass
class Acceptance:
    """The acceptance window of a project (``SynthConfig`` carries one)."""

    min_tests: int = 8
    min_lines: int = 40
    max_lines: int = 800


def check_project(files: dict[str, str], limits: Acceptance) -> Project:
    """The static checks (paths, syntax, imports, size, docstrings); raises ``Rejected``."""
    for path in files:
        why = check_path(path)
        if why:
            raise Rejected("paths", why)
    tests = sorted(p for p in files if is_test_path(p))
    srcs = sorted(p for p in files if not is_test_path(p))
    if not [p for p in tests if PurePosixPath(p).name.startswith("test_")]:
        raise Rejected("layout", "no test file (expected tests/test_<name>.py)")
    if not srcs:
        raise Rejected("layout", "no source module outside tests/")
    local = {PurePosixPath(p).parts[0].removesuffix(".py") for p in srcs}
    for name in sorted(local):
        if name in RESERVED_NAMES or name in sys.stdlib_module_names:
            raise Rejected(
                "layout", f"the module name `{name}` shadows a standard-library or tool module; pick another"
            )
    trees = {}
    for path, text in files.items():
        try:
            trees[path] = ast.parse(text, filename=path)
        except SyntaxError as exc:
            raise Rejected("syntax", f"{path} line {exc.lineno}: syntax error: {exc.msg}") from None
    for path, tree in trees.items():
        _check_imports(path, tree, local, allow_pytest=path in tests)
    src_lines = sum(1 for p in srcs for ln in files[p].splitlines() if ln.strip())
    if not limits.min_lines <= src_lines <= limits.max_lines:
        raise Rejected(
            "size",
            f"{src_lines} non-blank source lines; expected {limits.min_lines} to {limits.max_lines}",
        )
    _check_docstrings(srcs, trees)
    return Project(files, srcs, tests, src_lines)


def _check_imports(path: str, tree: ast.AST, local: set[str], allow_pytest: bool) -> None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in local or (allow_pytest and top == "pytest"):
                continue
            if top not in sys.stdlib_module_names:
                raise Rejected(
                    "imports",
                    f"{path} line {node.lineno} imports `{name}`, which is not in the standard library",
                )
            if top in FORBIDDEN_MODULES:
                raise Rejected(
                    "imports",
                    f"{path} line {node.lineno} imports `{name}`: processes, network, threads and file-system "
                    "tools are not allowed in a pure-computation library",
                )


def _check_docstrings(srcs: list[str], trees: dict[str, ast.AST]) -> None:
    functions = documented = 0
    for path in srcs:
        tree = trees[path]
        if PurePosixPath(path).name != "__init__.py" and ast.get_docstring(tree) is None:  # type: ignore[arg-type]
            raise Rejected("docstrings", f"{path} has no module docstring")
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_"):
                functions += 1
                documented += ast.get_docstring(node) is not None
    if functions == 0:
        raise Rejected("docstrings", "no public function or method in the sources")
    if documented * 2 < functions:
        raise Rejected("docstrings", f"only {documented} of {functions} public functions have a docstring")


# ----------------------------------------------------------------------------- running


@dataclass
class TestRun:
    ok: bool
    passed: int
    output: str


_PASSED = re.compile(r"\b(\d+) passed\b")
_BAD = re.compile(r"\b\d+ (failed|errors?)\b")


def write_files(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


async def run_tests(project: Project, backend: str, timeout_s: float) -> TestRun:
    """The project's whole suite in a fresh sandbox copy; ``passed`` from pytest's summary."""
    with tempfile.TemporaryDirectory(prefix="agentic-synth-") as tmp:
        ws = write_files(Path(tmp) / "ws", project.files)
        result = await Sandbox(ws, Limits(timeout_s=timeout_s), backend=backend).arun(project.count_cmd)
    tail = "\n".join(result.output.rstrip().splitlines()[-40:])
    counts = [int(m.group(1)) for m in _PASSED.finditer(result.output)]
    passed = counts[-1] if counts else 0
    ok = result.exit_code == 0 and not result.timed_out and not _BAD.search(tail)
    return TestRun(
        ok, passed, tail if not result.timed_out else f"(timed out after {timeout_s:.0f} s)\n{tail}"
    )


async def check_tests(project: Project, limits: Acceptance, backend: str, timeout_s: float) -> int:
    """Tests pass on the original twice, with at least ``min_tests`` of them; raises ``Rejected``."""
    first = await run_tests(project, backend, timeout_s)
    if not first.ok:
        raise Rejected("tests", "the tests do not pass on the original code", first.output)
    if first.passed < limits.min_tests:
        raise Rejected(
            "tests", f"only {first.passed} tests ran; at least {limits.min_tests} are needed", first.output
        )
    second = await run_tests(project, backend, timeout_s)
    if not second.ok or second.passed != first.passed:
        raise Rejected("flaky", "the tests passed once and not the second time (flaky suite)", second.output)
    return first.passed


def store_project(project: Project, slug: str) -> Path:
    """The project in ``<cache>/synth/<slug>-<hash12>`` (written once; the same content is reused)."""
    base = cache_dir() / "synth"
    base.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{slug}-", dir=base))
    write_files(staging, project.files)
    final = base / f"{slug}-{tree_hash(staging, memo=False)[:12]}"
    try:
        staging.rename(final)
    except OSError:  # the same content is already there (another worker or an earlier run)
        if not final.is_dir():
            raise
        shutil.rmtree(staging)
    return final


def project_source(root: Path, project: Project, topic_: Topic) -> CodeSource:
    return CodeSource(
        name=f"synth:{root.name}",
        root=root,
        src_files=project.src_files,
        test_files=project.test_files,
        test_cmd=project.test_cmd,
        description=f"a synthesized library: {topic_.subject}",
    )


async def derive_tasks(
    src: CodeSource, families: tuple[str, ...], per_family: int, backend: str, meta: dict[str, Any]
) -> dict[str, list[Task]]:
    """Up to ``per_family`` valid tasks per family (candidates in id order, a bounded number tried)."""
    out: dict[str, list[Task]] = {}
    for family in families:
        kept: list[Task] = []
        pool = sorted(_BUILDERS[family](src), key=lambda t: t.id)
        for task in pool[: max(per_family * 3, 12)]:
            if len(kept) >= per_family:
                break
            if await task_is_valid(task, backend):
                task.meta = {**task.meta, "synth": meta}
                kept.append(task)
        out[family] = kept
    return out


def teacher_needed_message() -> str:
    return (
        "task synthesis needs a teacher LLM: the offline oracle can only solve tasks, not write new projects. "
        "Pass --teacher anthropic:MODEL (with ANTHROPIC_API_KEY) or --teacher openai:MODEL (with OPENAI_API_KEY, "
        f"or --base-url of a vLLM / SGLang / Ollama server). {len(subjects())} subjects x {len(STYLES)} styles x "
        f"{len(TWISTS)} twists give {topic_count():,} distinct topics; each accepted project is tested in the "
        "sandbox and yields coding and debugging tasks. Without a teacher, `agentic tasks mine --repo PATH` "
        "makes tasks from your own repository."
    )
