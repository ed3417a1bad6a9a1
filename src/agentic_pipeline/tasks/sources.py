"""Where tasks come from: the projects shipped in the package, the standard library, a user's repository.

A ``CodeSource`` is a folder of Python code with a test command: the shipped projects as they are,
a pure-Python stdlib module copied next to its own ``Lib/test`` file (the tests then import the
local copy), or a mined copy of a user's repository. Task families mutate its ``src_files``.
"""

from __future__ import annotations

import os
import shutil
import sys
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

# Each module's own tests (`python -m unittest -q test_<mod>`, copied next to it) run in < 0.3 s
# (median of 3 on the 2-core dev machine; calendar 0.9 s, random 0.4 s: kept for their many tasks),
# pass in the sandbox, give the same result when run twice in one folder and leave no files behind,
# and import the LOCAL copy (checked by putting a `raise ImportError` at the top of each copy: the run
# must fail). Most are pure Python; heapq, bisect and uuid swap some functions for a C accelerator
# at import (their tests also run the Python versions; mutants no test kills are dropped anyway).
# aifc, sunau and uu are gone from Python 3.13: skipped there, like any module without its tests.
# Left out on purpose:
# - the test runner's own machinery (argparse, functools, enum, operator, copy, weakref, traceback,
#   inspect, ast, dis, tokenize, linecache, contextlib, keyword): `python -m unittest` imports the
#   local copy itself, so most bugs there break the runner before any test runs
#   (textwrap, heapq, difflib, fnmatch and reprlib are imported by it too, but a bug there shows up
#   only in help, failure reports or reprs, after the module's own tests ran);
# - gettext: its tests write files into the working folder, so results depend on earlier runs;
# - bdb, pprint, tabnanny, doctest, py_compile, sysconfig, tempfile, compileall, tarfile, pdb,
#   pydoc: their tests fail when copied out of Lib/ or in the sandbox (read-only stdlib);
# - slow suites: statistics 2.5 s, pickle 2.9 s, weakref 2.9 s, zipfile 5.8 s, queue 7.5 s,
#   datetime 12 s; mailbox, pathlib and shutil (0.5-0.6 s, but 2-3.5 s in the sandbox);
# - runpy (the runner uses the stdlib copy); code (test_code.py tests code objects, not the module);
# - suites of < 12 tests (cgitb, pyclbr, xdrlib, sndhdr, stringprep, codeop, mailcap, filecmp,
#   imghdr...) would leave most mutants alive; locale and platform depend on the host; hashlib,
#   struct, lzma and tracemalloc are mostly C.
STDLIB_MODULES = (
    "textwrap",
    "fractions",
    "shlex",
    "colorsys",
    "graphlib",
    "base64",
    "quopri",
    "bisect",
    "heapq",
    "getopt",
    "netrc",
    "cmd",
    "aifc",
    "calendar",
    "configparser",
    "csv",
    "difflib",
    "fileinput",
    "fnmatch",
    "glob",
    "gzip",
    "ipaddress",
    "mimetypes",
    "optparse",
    "pkgutil",
    "plistlib",
    "random",
    "reprlib",
    "shelve",
    "string",
    "sunau",
    "timeit",
    "typing",
    "uu",
    "uuid",
    "wave",
    "zipapp",
)


def cache_dir() -> Path:
    """Where task caches live: ``$AGENTIC_CACHE_DIR`` or ``~/.cache/agentic-pipeline``."""
    root = os.environ.get("AGENTIC_CACHE_DIR") or Path.home() / ".cache" / "agentic-pipeline"
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class CodeSource:
    name: str  # "project:ledger", "stdlib:textwrap", "repo:myrepo"
    root: Path
    src_files: list[str]
    test_files: list[str]
    test_cmd: str
    description: str = ""
    refactor_hints: list[str] = field(default_factory=list)
    # Lines the tests execute, per source file (from a coverage run, agentic_pipeline.tasks.coverage_map):
    # builders then change only those. None: not measured, every line is a candidate.
    executed: dict[str, frozenset[int]] | None = None
    # The source's own environment (a venv folder, agentic_pipeline.tasks.environments), or None.
    env: str | None = None

    def runs(self, rel: str, lines: range | list[int]) -> bool:
        """Whether a test executes one of ``lines`` of ``rel`` (True when that was not measured)."""
        if self.executed is None:
            return True
        found = self.executed.get(rel, frozenset())
        return any(n in found for n in lines)

    @property
    def kind(self) -> str:
        return self.name.split(":", 1)[0]

    @property
    def short(self) -> str:
        return self.name.split(":", 1)[1]

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text()

    def pinned_tests(self) -> list[str]:
        """The test files as shipped (``Verifier.pin_base``): restored before verification so editing a
        test never counts. Shipped ``conftest.py`` files count as tests: they can skip or rewrite them."""
        return list(self._pinned)

    @cached_property
    def _pinned(self) -> tuple[str, ...]:  # one scan per source, not one per task built from it
        conftests = sorted(
            str(p.relative_to(self.root))
            for p in self.root.rglob("conftest.py")
            if "__pycache__" not in p.parts
        )
        return tuple(dict.fromkeys([*self.test_files, *conftests]))


def project_sources() -> list[CodeSource]:
    from agentic_pipeline.tasks.projects import PROJECTS_DIR, list_projects

    out = []
    for name in list_projects():
        root = PROJECTS_DIR / name
        meta = tomllib.loads((root / "PROJECT.toml").read_text())
        tests = meta.get("tests") or sorted(
            str(p.relative_to(root)) for p in (root / "tests").glob("test_*.py")
        )
        out.append(
            CodeSource(
                name=f"project:{meta.get('name', name)}",
                root=root,
                src_files=list(meta["src"]),
                test_files=list(tests),
                test_cmd=meta["test_cmd"],
                description=meta.get("description", ""),
                refactor_hints=list(meta.get("refactor_hints", [])),
            )
        )
    return out


def stdlib_test_dir() -> Path:
    return Path(sys.base_prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"


def stdlib_sources(modules: tuple[str, ...] = STDLIB_MODULES) -> list[CodeSource]:
    """Stdlib modules with their tests, copied into the cache; absent ones (no Lib/test) are skipped."""
    lib = stdlib_test_dir()
    out = []
    for mod in modules:
        src, test = lib / f"{mod}.py", lib / "test" / f"test_{mod}.py"
        if not (src.is_file() and test.is_file()):
            continue
        root = cache_dir() / "stdlib" / f"py{sys.version_info[0]}{sys.version_info[1]}" / mod
        if not (root / f"{mod}.py").is_file() or not (root / f"test_{mod}.py").is_file():
            root.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(test, root / f"test_{mod}.py")
            shutil.copyfile(src, root / f"{mod}.py")
        out.append(
            CodeSource(
                name=f"stdlib:{mod}",
                root=root,
                src_files=[f"{mod}.py"],
                test_files=[f"test_{mod}.py"],
                test_cmd=f"python -m unittest -q test_{mod}",
                description=f"the standard library's {mod} module with its own test suite",
            )
        )
    return out


def all_sources(kinds: tuple[str, ...] = ("project", "stdlib")) -> list[CodeSource]:
    out: list[CodeSource] = []
    if "project" in kinds:
        out += project_sources()
    if "stdlib" in kinds:
        out += stdlib_sources()
    return out
