"""Packages from PyPI as task sources: their sdist (which carries their tests), their test command,
their dependencies; and the shipped catalog of packages known to mine well (``pypi_catalog.toml``).

The sdist is fetched with pip (``pip download --no-deps --no-binary NAME``), outside the sandbox: the
package index is the one network access; pip's own settings (``PIP_INDEX_URL``, ``PIP_FIND_LINKS``,
``PIP_NO_INDEX``...) apply. It is unpacked once into ``<cache>/pypi/<name>-<version>``.
"""

from __future__ import annotations

import configparser
import email.parser
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from agentic_pipeline.tasks.sources import cache_dir

CATALOG = Path(__file__).with_name("pypi_catalog.toml")
TEST_EXTRAS = ("test", "tests", "testing")
_DONE = ".agentic-unpacked"


class PypiError(RuntimeError):
    """The package could not be fetched or has nothing to mine (the message says which)."""


@dataclass
class Package:
    """One catalog entry (or a ``--pypi NAME[==VERSION]``): what to fetch and how to test it."""

    name: str
    version: str = ""
    deps: list[str] = field(default_factory=list)  # test dependencies beyond the sdist's declared ones
    test_cmd: str = ""  # default: found from the sdist (``test_command``)
    note: str = ""

    @property
    def spec(self) -> str:
        return f"{self.name}=={self.version}" if self.version else self.name

    @classmethod
    def parse(cls, text: str) -> Package:
        name, _, version = text.partition("==")
        if not name.strip() or any(c in name for c in "<>=!~ "):
            raise PypiError(f"--pypi {text!r}: expected NAME or NAME==VERSION")
        return cls(name.strip(), version.strip())


def load_catalog(path: Path = CATALOG) -> list[Package]:
    """The catalog's packages; a bad entry names the file and the package."""
    try:
        rows = tomllib.loads(path.read_text()).get("package", [])
    except tomllib.TOMLDecodeError as exc:
        raise PypiError(f"{path}: not valid TOML ({exc})") from None
    out = []
    for n, row in enumerate(rows, start=1):
        try:
            out.append(Package(**row))
        except TypeError as exc:
            raise PypiError(f"{path}: package #{n} ({row.get('name', '?')}): {exc}") from None
    return out


def fetch_sdist(pkg: Package) -> Path:
    """The unpacked sdist of ``pkg`` (downloaded once; a partial unpack is redone)."""
    with tempfile.TemporaryDirectory(prefix="agentic-pypi-") as tmp:
        cached = _cached(pkg)
        if cached:
            return cached
        # --no-binary for the package only: its build backend (needed to read the sdist's metadata)
        # may come as a wheel (uv_build, maturin... cannot be built from source here).
        argv = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", pkg.name, "-d", tmp]
        done = subprocess.run([*argv, pkg.spec], capture_output=True, text=True, timeout=600)
        archives = [p for p in Path(tmp).iterdir() if p.name.endswith((".tar.gz", ".zip", ".tgz"))]
        if done.returncode != 0 or len(archives) != 1:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-8:])
            raise PypiError(f"pip download {pkg.spec} failed (exit {done.returncode}):\n{tail}")
        return _unpack(archives[0], pkg)


def _cached(pkg: Package) -> Path | None:
    if not pkg.version:
        return None  # the newest version: ask the index
    root = cache_dir() / "pypi" / f"{pkg.name}-{pkg.version}"
    return root if (root / _DONE).is_file() else None


def _unpack(archive: Path, pkg: Package) -> Path:
    with tempfile.TemporaryDirectory(prefix="agentic-unpack-", dir=cache_dir()) as tmp:
        if archive.name.endswith(".zip"):
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(tmp)
        else:
            with tarfile.open(archive) as tf:
                tf.extractall(tmp, filter="data")
        tops = [p for p in Path(tmp).iterdir() if p.is_dir()]
        if len(tops) != 1:
            raise PypiError(f"{archive.name}: expected one top folder in the sdist, found {len(tops)}")
        version = pkg.version or _version(tops[0]) or archive.name.split("-")[-1].split(".tar")[0]
        root = cache_dir() / "pypi" / f"{pkg.name}-{version}"
        shutil.rmtree(root, ignore_errors=True)
        root.parent.mkdir(parents=True, exist_ok=True)
        tops[0].rename(root)
    (root / _DONE).write_text(archive.name + "\n")
    return root


def _pkg_info(root: Path):
    path = root / "PKG-INFO"
    return email.parser.Parser().parsestr(path.read_text(errors="replace")) if path.is_file() else None


def _version(root: Path) -> str:
    info = _pkg_info(root)
    return (info.get("Version") or "") if info else ""


def requirements(root: Path, pkg: Package) -> list[str]:
    """What the package's tests need: its declared dependencies and those of its test extras
    (``test``/``tests``/``testing``) from PKG-INFO, its ``pyproject.toml`` test extras and dependency
    groups (PEP 735) of those names, and the catalog's ``deps``; markers evaluated for this Python."""
    info = _pkg_info(root)
    lines = list(info.get_all("Requires-Dist", [])) if info else []
    try:
        pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    except (OSError, tomllib.TOMLDecodeError):
        pyproject = {}
    project = pyproject.get("project", {})
    if not lines:
        lines += [r for r in project.get("dependencies", []) if isinstance(r, str)]
    optional = project.get("optional-dependencies", {})
    groups = pyproject.get("dependency-groups", {})
    for name in TEST_EXTRAS:
        lines += [r for r in optional.get(name, []) if isinstance(r, str)]
        lines += _group(groups, name, set())
    out = []
    for line in lines:
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in ("", *TEST_EXTRAS)):
            req.marker = None
            out.append(str(req))
    return list(dict.fromkeys([*out, *pkg.deps]))


def _group(groups: dict, name: str, seen: set[str]) -> list[str]:
    """A PEP 735 dependency group's requirements, its ``include-group`` entries expanded."""
    if name in seen or not isinstance(groups.get(name), list):
        return []
    seen.add(name)
    out = []
    for item in groups[name]:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and "include-group" in item:
            out += _group(groups, item["include-group"], seen)
    return out


def test_command(root: Path, test_files: list[str]) -> str:
    """``python -m pytest`` on the folder that holds the tests (their common top folder), with the
    sdist's own ``addopts`` dropped: they often name plugins (coverage, xdist) the tests do not need.
    A marker selection there (``-m 'not stress'``) is kept: it leaves out what the project itself
    does not run by default (click's 30,000 stress cases)."""
    if not test_files:
        raise PypiError(f"{root.name}: the sdist carries no tests (test_*.py, *_test.py, tests/)")
    tops = {Path(t).parts[0] for t in test_files}
    where = tops.pop() if len(tops) == 1 else ""
    where = where if where and (root / where).is_dir() else ""
    base = "python -m pytest -q -x -p no:cacheprovider -o addopts="
    marks = _marker_selection(root)
    if marks:
        base += f" -m {shlex.quote(marks)}"
    return f"{base} {where}".strip()


def _marker_selection(root: Path) -> str:
    """The ``-m EXPR`` of the project's pytest ``addopts``, or "". The config file is the one pytest
    reads: pytest.ini, then pyproject.toml (``[tool.pytest.ini_options]``), tox.ini, setup.cfg."""
    opts: str | list = ""
    for name, section in (("pytest.ini", "pytest"), ("pyproject.toml", ""), ("tox.ini", "pytest"), ("setup.cfg", "tool:pytest")):  # fmt: skip
        if name == "pyproject.toml":
            try:
                ini = tomllib.loads((root / name).read_text())["tool"]["pytest"]["ini_options"]
            except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError):
                continue
            opts = ini.get("addopts", "")
            break
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(root / name)
        except configparser.Error:
            continue
        if parser.has_section(section):
            opts = parser.get(section, "addopts", fallback="")
            break
    try:
        words = [str(w) for w in opts] if isinstance(opts, list) else shlex.split(str(opts))
    except ValueError:
        return ""
    for i, word in enumerate(words):
        if word == "-m" and i + 1 < len(words):
            return words[i + 1]
        if word.startswith("-m") and len(word) > 2 and not word.startswith("--"):
            return word[2:].lstrip("=")
    return ""
