"""A task source's own Python environment: a venv holding its dependencies, built once and reused.

A mined repository or PyPI package usually needs packages this project's venv does not hold. Its
environment is a venv built outside the sandbox (the one step with network: the package index),
with ``uv`` when it is on PATH and ``python -m venv`` + pip otherwise, on the interpreter that runs
this package. It lives in ``<cache>/envs/<key>``, the key a hash of what defines it (interpreter,
requirements, the import path, the registered distribution), so two sources that need the same
packages share one, and a second run reuses it. The sandbox mounts it read-only and puts its
``bin`` first on PATH for every command of that source's tasks (``Task.env``); the sandbox still
has no network.

The source's own code is not installed into it (the installed copy would shadow the workspace the
agent edits): a ``.pth`` file puts the workspace (``/workspace`` or ``/workspace/src``) first on
``sys.path`` (before site-packages: a package the test tools depend on, such as ``packaging`` or
``iniconfig`` under pytest, is installed there too, and that copy must not shadow the workspace's),
and a metadata-only ``.dist-info`` registers the distribution's name and version so
``importlib.metadata.version(...)`` works as it does for an installed package.

pip reads its usual settings from the environment (``PIP_INDEX_URL``, ``PIP_FIND_LINKS``,
``PIP_NO_INDEX``...), which is how an offline build points it at local wheels.
"""

from __future__ import annotations

import contextlib
import email.parser
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

from agentic_pipeline.tasks.sources import cache_dir

_MARKER = ".agentic-env.json"
_BUILD_TIMEOUT_S = 900


class EnvError(RuntimeError):
    """The environment could not be built (the message holds the installer's last lines)."""


@dataclass(frozen=True)
class EnvSpec:
    """What an environment holds. ``import_path``: the workspace folder the tests import the code from
    (as the sandbox sees it); ``dist``: (name, version) registered as installed, or None."""

    requirements: tuple[str, ...] = ()
    import_path: str = "/workspace"
    dist: tuple[str, str] | None = None

    def key(self) -> str:
        payload = {
            **asdict(self),
            "requirements": sorted(self.requirements),
            "python": sys.version,
            "interpreter": os.path.realpath(sys.executable),
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def env_dir(spec: EnvSpec) -> Path:
    return cache_dir() / "envs" / spec.key()


def installer() -> str:
    """``uv`` when it is on PATH (unless ``AGENTIC_ENV_INSTALLER=pip``), else ``pip``."""
    if os.environ.get("AGENTIC_ENV_INSTALLER", "").lower() == "pip":
        return "pip"
    return "uv" if shutil.which("uv") else "pip"


def ensure_env(spec: EnvSpec) -> tuple[Path, bool]:
    """The environment for ``spec``: (its folder, whether it was built now). Built once; a build that
    was interrupted (no marker) is removed and redone. Two processes never build the same one at once."""
    path = env_dir(spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (path / _MARKER).is_file():
            _workspace_first(path, spec)  # an environment built by an earlier version appended it
            return path, False
        shutil.rmtree(path, ignore_errors=True)
        try:
            _build(path, spec)
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        (path / _MARKER).write_text(json.dumps({**asdict(spec), "installer": installer()}, indent=1))
    return path, True


def _run(argv: list[str], what: str) -> None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=_BUILD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise EnvError(f"{what}: no result after {_BUILD_TIMEOUT_S} s") from None
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-12:])
        raise EnvError(f"{what} failed (exit {done.returncode}):\n{tail}")


def _build(path: Path, spec: EnvSpec) -> None:
    tool = installer()
    py = path / "bin" / "python"
    if tool == "uv":
        _run(["uv", "venv", "--quiet", "--python", sys.executable, str(path)], "uv venv")
        install = ["uv", "pip", "install", "--quiet", "--python", str(py)]
    else:
        _run([sys.executable, "-m", "venv", "--without-pip", str(path)], "python -m venv")
        install = [sys.executable, "-m", "pip", "--python", str(py), "install", "--quiet"]
    if spec.requirements:
        _run([*install, *spec.requirements], f"{tool} install {' '.join(spec.requirements)}")
    site = _site_packages(path)
    _workspace_first(path, spec)
    if spec.dist:
        _register(site, *spec.dist)


def _pth_line(import_path: str) -> str:
    # A .pth line starting with "import" is executed: the workspace goes before site-packages, where a
    # plain path line would append it after (and an installed copy of the same package would win).
    return f"import sys; sys.path.insert(0, {import_path!r})\n"


def _workspace_first(path: Path, spec: EnvSpec) -> None:
    pth = _site_packages(path) / "_agentic_workspace.pth"
    line = _pth_line(spec.import_path)
    if not pth.is_file() or pth.read_text() != line:
        tmp = pth.with_suffix(".tmp")
        tmp.write_text(line)
        tmp.replace(pth)


def _site_packages(path: Path) -> Path:
    found = sorted(path.glob("lib/python*/site-packages"))
    if not found:
        raise EnvError(f"{path}: no lib/python*/site-packages after creating the venv")
    return found[0]


def _register(site: Path, name: str, version: str) -> None:
    """Metadata only: ``importlib.metadata`` finds the distribution; its code stays in the workspace."""
    norm = name.replace("-", "_")
    info = site / f"{norm}-{version}.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "INSTALLER").write_text("agentic-pipeline\n")
    with contextlib.suppress(OSError):
        (info / "RECORD").write_text("")


# ----------------------------------------------------------------------------- what a repository needs


def read_requirements(path: Path) -> list[str]:
    """Requirement lines of a pip requirements file (comments and blank lines skipped). Options
    (``-e``, ``-r``, ``--index-url``...) are refused with the file and line: the environment is keyed
    by its requirements, and pip settings come from pip's own environment variables."""
    out = []
    for n, raw in enumerate(Path(path).read_text().splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-"):
            raise EnvError(
                f"{path}:{n}: {line!r}: only requirement lines are read here (no pip options); "
                "set pip's options through its environment variables (PIP_INDEX_URL, PIP_FIND_LINKS...)"
            )
        out.append(line)
    return out


def declared(root: Path, extras: list[str]) -> list[str]:
    """The dependencies ``pyproject.toml`` declares ([project] dependencies) plus those of ``extras``."""
    path = root / "pyproject.toml"
    if not path.is_file():
        if extras:
            raise EnvError(f"{root}: no pyproject.toml to read the extras {', '.join(extras)} from")
        return []
    try:
        project = tomllib.loads(path.read_text()).get("project", {})
    except tomllib.TOMLDecodeError as exc:
        raise EnvError(f"{path}: not valid TOML ({exc})") from None
    optional = project.get("optional-dependencies", {})
    missing = [e for e in extras if e not in optional]
    if missing:
        have = ", ".join(sorted(optional)) or "none"
        raise EnvError(f"{path}: no extra {missing[0]!r} in [project.optional-dependencies] (it has: {have})")
    return [*project.get("dependencies", []), *(r for e in extras for r in optional[e])]


def import_path(root: Path) -> str:
    """Where the tests import the code from, as the sandbox sees it: ``src/`` for a src layout."""
    src = root / "src"
    layout = src.is_dir() and any(p.suffix == ".py" or (p / "__init__.py").exists() for p in src.iterdir())
    return "/workspace/src" if layout else "/workspace"


def dist_of(root: Path) -> tuple[str, str] | None:
    """(name, version) from ``PKG-INFO`` (an sdist) or ``pyproject.toml`` [project]; None if neither says."""
    info = root / "PKG-INFO"
    if info.is_file():
        meta = email.parser.Parser().parsestr(info.read_text(errors="replace"))
        if meta.get("Name") and meta.get("Version"):
            return meta["Name"], meta["Version"]
    try:
        project = tomllib.loads((root / "pyproject.toml").read_text()).get("project", {})
    except (OSError, tomllib.TOMLDecodeError):
        return None
    if project.get("name") and isinstance(project.get("version"), str):
        return project["name"], project["version"]
    return None


def uses_pytest(test_cmd: str) -> bool:
    return "pytest" in test_cmd.split()[:3]


def spec_for(root: Path, test_cmd: str, requirements: list[str]) -> EnvSpec:
    """The environment a source at ``root`` needs: ``requirements``, plus pytest when it runs the tests."""
    reqs = list(dict.fromkeys(requirements))
    if uses_pytest(test_cmd) and not any(_name(r) == "pytest" for r in reqs):
        reqs.append("pytest")
    return EnvSpec(tuple(reqs), import_path(root), dist_of(root))


def _name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    return match.group(1).lower().replace("_", "-") if match else ""
