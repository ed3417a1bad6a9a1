"""`agentic tasks mine` on a small repository made here, then generation from the mined tasks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

OPS = '''def clamp(x, lo, hi):
    """Clamp x into [lo, hi]."""
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x


def mean(values):
    """Arithmetic mean of a non-empty list."""
    total = 0
    for v in values:
        total += v
    return total / len(values)
'''
TESTS = """from calc.ops import clamp, mean


def test_clamp():
    assert clamp(5, 0, 3) == 3
    assert clamp(-1, 0, 3) == 0
    assert clamp(2, 0, 3) == 2
    assert clamp(0, 0, 3) == 0


def test_mean():
    assert mean([1, 2, 3, 6]) == 3
    assert mean([5]) == 5
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AGENTIC_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "myrepo"
    (root / "calc").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "calc" / "__init__.py").write_text("")
    (root / "calc" / "ops.py").write_text(OPS)
    (root / "tests" / "test_ops.py").write_text(TESTS)
    (root / "tests" / "conftest.py").write_text(
        "import sys, pathlib\nsys.path.insert(0, str(pathlib.Path(__file__).parents[1]))\n"
    )
    return root


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "agentic_pipeline.cli", *args], capture_output=True, text=True, timeout=300
    )


def test_mine_then_generate_from_the_mined_tasks(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "mined.jsonl"
    test_cmd = "python -m pytest -q -x -p no:cacheprovider tests"
    done = cli("tasks", "mine", "--repo", str(repo), "--test-cmd", test_cmd, "--max", "4", "--out", str(out))
    assert done.returncode == 0, done.stderr
    tasks = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(tasks) == 4 and {t["family"] for t in tasks} == {"debugging", "coding"}
    assert all(t["source"] == "repo:myrepo" and t["verifier"]["pin_base"] for t in tasks)
    assert (repo / "calc" / "ops.py").read_text() == OPS  # the user's repository is untouched
    data = tmp_path / "data"
    done = cli(
        "generate",
        "trajectories",
        "--count",
        "2",
        "--category",
        "debugging",
        "--tasks",
        str(out),
        "--out",
        str(data),
    )
    assert done.returncode == 0, done.stderr
    records = [
        json.loads(x) for x in (data / "trajectories" / "debugging_tasks.jsonl").read_text().splitlines()
    ]
    assert len(records) == 2 and all(r["outcome"]["verified"] for r in records)
    listing = cli("tasks", "list", "--tasks", str(out))
    assert listing.returncode == 0 and "repo:myrepo" in listing.stdout


def test_mine_refuses_a_red_suite(repo: Path, tmp_path: Path) -> None:
    (repo / "tests" / "test_ops.py").write_text(TESTS + "\n\ndef test_broken():\n    assert False\n")
    done = cli(
        "tasks",
        "mine",
        "--repo",
        str(repo),
        "--test-cmd",
        "python -m pytest -q tests",
        "--out",
        str(tmp_path / "m.jsonl"),
    )
    assert done.returncode == 2 and "fails on the unmodified repository" in " ".join(done.stderr.split())
