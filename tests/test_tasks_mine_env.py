"""Sources with their own environment: a dependency the project's venv does not hold, installed from a
wheel built here (pip --no-index --find-links, no network); --pypi on an sdist built here; and, when
the package index is reachable, the real thing."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import json
import socket
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from agentic_pipeline.tasks.mine_pypi import CatalogRun
from agentic_pipeline.tasks.pypi import Package, load_catalog

CORE = '''from shoutlib import shout


def greet(name, excited=False):
    """A greeting for name; shouted when excited."""
    text = "hello " + name
    if excited:
        return shout(text)
    return text


def count_words(text):
    """How many words text holds."""
    n = 0
    for word in text.split():
        if word:
            n += 1
    return n
'''
TESTS = """import unittest

from greet.core import count_words, greet


class TestGreet(unittest.TestCase):
    def test_greet(self):
        self.assertEqual(greet("bob"), "hello bob")
        self.assertEqual(greet("bob", excited=True), "HELLO BOB!")

    def test_count(self):
        self.assertEqual(count_words("a b  c"), 3)
        self.assertEqual(count_words(""), 0)
"""
TEST_CMD = "python -m unittest -q tests.test_core"


def _wheel(dest: Path) -> Path:
    """shoutlib 1.0 as a wheel: a dependency nobody else installs."""
    files = {
        "shoutlib/__init__.py": 'def shout(text):\n    return text.upper() + "!"\n',
        "shoutlib-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: shoutlib\nVersion: 1.0\n",
        "shoutlib-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(text.encode())}")
    files["shoutlib-1.0.dist-info/RECORD"] = "\n".join([*record, "shoutlib-1.0.dist-info/RECORD,,"]) + "\n"
    path = dest / "shoutlib-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return path


def _write_repo(root: Path) -> Path:
    (root / "greet").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "greet" / "__init__.py").write_text("")
    (root / "greet" / "core.py").write_text(CORE)
    (root / "tests" / "__init__.py").write_text("")
    (root / "tests" / "test_core.py").write_text(TESTS)
    return root


@pytest.fixture
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """pip sees only a folder of wheels built here; environments are built with pip."""
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    _wheel(wheels)
    monkeypatch.setenv("AGENTIC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheels))
    monkeypatch.setenv("PIP_NO_BUILD_ISOLATION", "0")  # build an sdist's metadata with this setuptools
    monkeypatch.setenv("AGENTIC_ENV_INSTALLER", "pip")
    return wheels


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "agentic_pipeline.cli", *args], capture_output=True, text=True, timeout=300
    )


def said(done: subprocess.CompletedProcess) -> str:
    return " ".join((done.stdout + done.stderr).split())


def test_a_dependency_outside_the_venv_mines_and_runs_in_its_own_environment(offline, tmp_path: Path) -> None:
    assert importlib.util.find_spec("shoutlib") is None  # not in the project's venv
    repo = _write_repo(tmp_path / "greet")
    out = tmp_path / "mined.jsonl"
    mine = ("tasks", "mine", "--repo", str(repo), "--test-cmd", TEST_CMD, "--max", "3", "--out", str(out))
    red = cli(*mine)  # without its environment the suite cannot even import
    assert red.returncode == 2 and "No module named 'shoutlib'" in said(red), said(red)
    (tmp_path / "requirements.txt").write_text("# what greet needs\nshoutlib==1.0\n")
    done = cli(*mine, "--requirements", str(tmp_path / "requirements.txt"))
    assert done.returncode == 0, said(done)
    assert "environment built" in said(done) and "kept 3" in said(done)
    tasks = [json.loads(line) for line in out.read_text().splitlines()]
    env = Path(tasks[0]["env"])
    assert len(tasks) == 3 and all(t["env"] == str(env) for t in tasks)
    assert (env / "bin" / "python").exists() and list(env.glob("lib/python*/site-packages/shoutlib"))
    # Episodes run in that environment: the oracle's fixes verify.
    data = tmp_path / "data"
    gen = cli(
        "generate", "trajectories", "--count", "2", "--tasks", str(out), "--split", "all", "--out", str(data)
    )
    assert gen.returncode == 0, said(gen)
    records = [
        json.loads(x) for f in (data / "trajectories").glob("*.jsonl") for x in f.read_text().splitlines()
    ]
    assert len(records) == 2 and all(r["outcome"]["verified"] for r in records)
    # A second run reuses the environment instead of building it again.
    marker = env / ".agentic-env.json"
    before = marker.stat().st_mtime_ns
    again = cli(*mine, "--requirements", str(tmp_path / "requirements.txt"))
    assert again.returncode == 0 and "environment reused" in said(again), said(again)
    assert marker.stat().st_mtime_ns == before


def test_the_workspace_wins_over_an_installed_copy_of_the_same_package(offline, tmp_path: Path) -> None:
    # pytest depends on packaging, iniconfig and pluggy, so their environments hold an installed copy of
    # the very package being mined; a src/ layout put after site-packages lost to it, the tests never
    # ran the workspace's code and mining found nothing to change (0 candidates).
    repo = tmp_path / "shoutlib"
    (repo / "src" / "shoutlib").mkdir(parents=True)
    (repo / "tests").mkdir()
    (repo / "src" / "shoutlib" / "__init__.py").write_text(
        "def shout(text):\n    return text.upper() + '!'\n\n\n"
        "def whisper(text, times=1):\n    quiet = text.lower()\n    if times > 1:\n"
        "        quiet = ' '.join([quiet] * times)\n    return quiet + '...'\n"
    )
    (repo / "tests" / "__init__.py").write_text("")
    (repo / "tests" / "test_shout.py").write_text(
        "import unittest\n\nfrom shoutlib import shout, whisper\n\n\n"
        "class T(unittest.TestCase):\n    def test_both(self):\n"
        "        self.assertEqual(shout('a'), 'A!')\n        self.assertEqual(whisper('B'), 'b...')\n"
        "        self.assertEqual(whisper('B', times=2), 'b b...')\n"
    )
    (tmp_path / "req.txt").write_text("shoutlib==1.0\n")  # 1.0 has no whisper
    out = tmp_path / "mined.jsonl"
    done = cli(
        "tasks", "mine", "--repo", str(repo), "--test-cmd", "python -m unittest -q tests.test_shout",
        "--requirements", str(tmp_path / "req.txt"), "--max", "2", "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0 and "kept 2" in said(done), said(done)
    tasks = [json.loads(line) for line in out.read_text().splitlines()]
    assert {t["solution"]["facts"]["path"] for t in tasks} == {"src/shoutlib/__init__.py"}
    env = Path(tasks[0]["env"])
    assert list(env.glob("lib/python*/site-packages/shoutlib"))  # the installed copy is there, and lost


def _sdist(dest: Path) -> Path:
    """greet 0.1 as an sdist (PKG-INFO, pyproject, code and tests), as PyPI would serve it."""
    files = {
        "PKG-INFO": "Metadata-Version: 2.1\nName: greet\nVersion: 0.1\nRequires-Dist: shoutlib==1.0\n"
        'Requires-Dist: docs-only-thing; extra == "docs"\n',
        "pyproject.toml": '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "greet"\nversion = "0.1"\ndependencies = ["shoutlib==1.0"]\n\n'
        "[tool.setuptools]\npackages = []\n",
        "greet/__init__.py": "",
        "greet/core.py": CORE,
        "tests/__init__.py": "",
        "tests/test_core.py": TESTS,
    }
    path = dest / "greet-0.1.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        for name, text in files.items():
            info = tarfile.TarInfo(f"greet-0.1/{name}")
            info.size = len(text.encode())
            tf.addfile(info, io.BytesIO(text.encode()))
    return path


def test_pypi_fetches_the_sdist_and_mines_it_in_its_environment(offline, tmp_path: Path) -> None:
    _sdist(offline)
    out = tmp_path / "greet.jsonl"
    done = cli(
        "tasks", "mine", "--pypi", "greet==0.1", "--test-cmd", TEST_CMD, "--max", "2", "--out", str(out)
    )
    assert done.returncode == 0, said(done)
    tasks = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(tasks) == 2 and all(t["source"] == "pypi:greet" and t["env"] for t in tasks)
    assert tasks[0]["verifier"]["test_cmd"] == TEST_CMD
    # The environment holds the declared dependency, not the docs extra, and registers the package.
    env = Path(tasks[0]["env"])
    assert list(env.glob("lib/python*/site-packages/shoutlib"))
    assert list(env.glob("lib/python*/site-packages/greet-0.1.dist-info/METADATA"))


def test_the_catalog_lists_at_least_40_pinned_packages() -> None:
    packages = load_catalog()
    assert len(packages) >= 40 and len({p.name for p in packages}) == len(packages)
    assert all(p.version for p in packages)


def _index_reachable() -> bool:
    try:
        socket.create_connection(("pypi.org", 443), timeout=3).close()
    except OSError:
        return False
    return True


@pytest.mark.network
@pytest.mark.slow
@pytest.mark.skipif(not _index_reachable(), reason="the package index (pypi.org) is not reachable")
def test_a_real_package_from_pypi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTIC_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "toolz.jsonl"
    done = cli("tasks", "mine", "--pypi", "toolz==1.0.0", "--max", "4", "--out", str(out))
    assert done.returncode == 0, said(done)
    tasks = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(tasks) == 4 and {t["family"] for t in tasks} == {"debugging", "coding"}
    assert not any(t["solution"]["facts"]["path"].startswith(("docs/", "examples/")) for t in tasks)


def test_a_catalog_run_resumes_and_skips_what_is_done(offline, tmp_path: Path) -> None:
    _sdist(offline)
    run = CatalogRun(tmp_path / "cat.jsonl", max_tasks=2, families=("debugging", "coding"))
    pkg = Package("greet", "0.1", test_cmd=TEST_CMD)
    first = run.run(pkg)
    assert not first.error and first.tasks == 2 and first.tried >= 2 and first.built >= first.tried
    assert run.done(pkg) == first  # recorded: a second sitting skips it
    assert run.combine([pkg]) == 2
    missing = Package("not-a-package-anywhere", "1.0")
    failed = run.run(missing)
    assert failed.error and "pip download" in failed.error and run.done(missing) == failed
    assert (
        CatalogRun(tmp_path / "cat.jsonl", 2, ("debugging", "coding"), retry_failed=True).done(missing)
        is None
    )
    assert CatalogRun(tmp_path / "cat.jsonl", 5, ("debugging", "coding")).done(pkg) is None  # new --max


@pytest.mark.parametrize(
    ("where", "text", "expected"),
    [
        (
            "pyproject.toml",
            "[tool.pytest.ini_options]\naddopts = \"--cov -m 'not stress'\"\n",
            "'not stress'",
        ),
        (
            "pyproject.toml",
            '[tool.pytest.ini_options]\naddopts = ["-ra", "-m", "not property"]\n',
            "'not property'",
        ),
        ("setup.cfg", "[tool:pytest]\naddopts = -p xdist -mslow\n", "slow"),
        ("pyproject.toml", '[tool.pytest.ini_options]\naddopts = "--cov"\n', None),
    ],
)
def test_the_found_test_command_keeps_the_projects_marker_selection(
    tmp_path: Path, where: str, text: str, expected: str | None
) -> None:
    # click's addopts deselects 30,000 stress cases; dropping addopts (for its plugins) ran them all,
    # and the suite timed out on the unmodified code.
    from agentic_pipeline.tasks.pypi import test_command

    (tmp_path / "tests").mkdir()
    (tmp_path / where).write_text(text)
    cmd = test_command(tmp_path, ["tests/test_a.py"])
    assert cmd.startswith("python -m pytest -q -x -p no:cacheprovider -o addopts=") and cmd.endswith(" tests")
    assert (f"-m {expected} " in cmd) if expected else (cmd.split().count("-m") == 1), cmd
    assert "--cov" not in cmd and "xdist" not in cmd


def test_the_marker_selection_comes_from_the_config_file_pytest_reads(tmp_path: Path) -> None:
    from agentic_pipeline.tasks.pypi import test_command

    (tmp_path / "tests").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\naddopts = "-m slow"\n')
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = -m 'not network'\n")
    assert "-m 'not network' tests" in test_command(tmp_path, ["tests/test_a.py"])
