"""`agentic tasks mine` on a small repository made here, then generation from the mined tasks."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from agentic_pipeline.tasks.mine import MineReport, copy_repo, mine, plan, repo_source

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
UNUSED = '''def double(x):
    """Twice x."""
    if x > 0:
        return x + x
    return 2 * x


def halve(x):
    y = x / 2
    return y - 0
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
    # Code no test executes: a module nobody imports, and a docs config.
    (root / "calc" / "unused.py").write_text(UNUSED)
    (root / "docs").mkdir()
    (root / "docs" / "conf.py").write_text("def setup(app):\n    x = 1 + 2\n    return x * 2\n")
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
    # The default --category all uses the families the file holds, and says so.
    done = cli(
        "generate", "trajectories", "--count", "2", "--tasks", str(out), "--out", str(tmp_path / "all")
    )
    assert done.returncode == 0, done.stderr
    said = " ".join((done.stdout + done.stderr).split())
    assert "holds coding (2), debugging (2): generating those" in said and "tasks mine" not in said
    written = sorted(p.name for p in (tmp_path / "all" / "trajectories").glob("*.jsonl"))
    assert written == ["coding_tasks.jsonl", "debugging_tasks.jsonl"]


def test_mine_says_what_it_tried_and_why_it_rejected(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "mined.jsonl"
    test_cmd = "python -m pytest -q -x -p no:cacheprovider tests"
    done = cli("tasks", "mine", "--repo", str(repo), "--test-cmd", test_cmd, "--max", "6", "--out", str(out))
    assert done.returncode == 0, done.stderr
    said = " ".join(done.stderr.split())
    assert "repo:myrepo:" in said and "tried" in said and "kept 6" in said, said
    assert "more on lines no test runs, left out" in said


def test_no_candidate_lands_where_no_test_runs_and_they_come_spread(repo: Path) -> None:
    src = repo_source(copy_repo(repo), "python -m pytest -q -x -p no:cacheprovider tests", "myrepo")
    assert "calc/unused.py" in src.src_files and "docs/conf.py" not in src.src_files
    report = MineReport(src.name)
    p = asyncio.run(plan(src, ("debugging", "coding"), "bwrap", report))
    paths = {t.solution.facts.path for t in p.queue}
    assert paths == {"calc/ops.py"} and report.uncovered > 0 and report.built == len(p.queue)
    # Round-robin: the first four alternate families and cover both functions.
    first = p.queue[:4]
    assert {t.family for t in first} == {"debugging", "coding"}
    assert {t.solution.facts.function.split("`")[0] for t in first} >= {"clamp", "mean"}


def test_mine_refuses_a_red_suite_and_shows_why(repo: Path, tmp_path: Path) -> None:
    (repo / "tests" / "test_extra.py").write_text(
        "import not_installed_anywhere\n\n\ndef test_x():\n    pass\n"
    )
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
    said = " ".join(done.stderr.split())
    assert done.returncode == 2 and "fails on the unmodified code of repo:myrepo" in said
    assert "ModuleNotFoundError: No module named 'not_installed_anywhere'" in said
    assert "tests/test_extra.py" in said


def test_the_tasks_kept_do_not_depend_on_how_many_check_at_once(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Answers are taken in the spread's order: the kept tasks are the first valid ones, whether one
    # sandbox or three check candidates at once.
    test_cmd = "python -m pytest -q -x -p no:cacheprovider tests"
    one = mine(repo, test_cmd, max_tasks=5, workers=1)
    monkeypatch.setenv("AGENTIC_CACHE_DIR", str(tmp_path / "other-cache"))  # every candidate checked anew
    three = mine(repo, test_cmd, max_tasks=5, workers=3)
    assert [t.id for t in one.tasks] == [t.id for t in three.tasks] and len(one.tasks) == 5
    assert one.report.tried == three.report.tried and one.report.rejected == three.report.rejected
