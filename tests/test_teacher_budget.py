"""Every command that takes a teacher, driven through the CLI against a local protocol server with a
dollar budget below one request's cost: the budget ends the paid work (exit code 4), and the cost
ledger holds every request the server answered, each booked to an episode of the run.

Before the one teacher object, ``generate preferences --teacher`` made its policy by hand: no ledger,
no limits, and ``--max-cost-usd`` could not stop it. This file keeps that from coming back for any
command.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from teacher_server import TeacherServer
from test_teachers_episodes import COMMANDS, marker_task
from typer.testing import CliRunner

from agentic_pipeline.cli import app
from agentic_pipeline.generate.synthesize import state_dir
from agentic_pipeline.tasks.catalog import write_task_file

TEACHER = "anthropic:claude-sonnet-5-5"  # priced in configs/prices.yaml
BUDGET = "0.000001"  # less than any request: the first jobs in flight finish, nothing new starts


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTIC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-BUDGETTEST-0123456789")


def how_tos(root: Path) -> Path:
    (root / "shell").mkdir(parents=True)
    rows = [{"question": f"How do I print {w}?", "answer": f"Run `echo {w}`."} for w in ("a", "b", "c", "d")]
    (root / "shell" / "qa.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return root


def command(name: str, tmp: Path) -> tuple[list[str], Path]:
    """(the CLI arguments, the folder of the run's ledger) for each command that takes a teacher."""
    data = tmp / "data"
    if name == "trajectories":
        write_task_file(tmp / "tasks.jsonl", [marker_task(n) for n in range(6)])
        args = ["generate", "trajectories", "--category", "devops", "--tasks", str(tmp / "tasks.jsonl")]
        return [*args, "--count", "6", "--workers", "2", "--out", str(data)], data
    if name == "conversations":
        return [
            "generate",
            "conversations",
            "--count",
            "4",
            "--turns",
            "2",
            "--workers",
            "1",
            "--out",
            str(data),
        ], data
    if name == "reasoning":
        args = [
            "generate",
            "reasoning",
            "--category",
            "architecture_decisions",
            "--count",
            "5",
            "--workers",
            "1",
        ]
        return [*args, "--out", str(data)], data
    if name == "preferences":
        args = ["generate", "preferences", "--category", "code_quality", "--count", "3", "--samples", "2"]
        return [*args, "--no-trajectories", "--cache", str(tmp / "measure.jsonl"), "--out", str(data)], data
    if name == "convert --expand":
        args = ["convert", "--input", str(how_tos(tmp / "in")), "--output", str(data / "domain"), "--expand"]
        return [*args, "--workers", "1"], data / ".cache" / "expand"
    if name == "tasks synthesize":
        out = tmp / "synth.jsonl"
        return ["tasks", "synthesize", "--count", "3", "--workers", "1", "--out", str(out)], state_dir(out)
    raise AssertionError(name)


@pytest.mark.parametrize(
    "name",
    ["trajectories", "conversations", "reasoning", "preferences", "convert --expand", "tasks synthesize"],
)
def test_the_budget_ends_the_paid_work_and_the_ledger_holds_every_call(name: str, tmp_path: Path) -> None:
    args, ledger_dir = command(name, tmp_path)
    with TeacherServer() as server:
        server.state.commands = COMMANDS
        result = CliRunner().invoke(
            app, [*args, "--teacher", TEACHER, "--base-url", server.url, "--max-cost-usd", BUDGET]
        )
        delivered = len(server.state.delivered)
    text = " ".join(result.output.split())
    assert result.exit_code == 4, result.output
    assert "--max-cost-usd reached" in text and "Traceback" not in text
    assert delivered > 0
    with sqlite3.connect(ledger_dir / "ledger.sqlite") as db:
        booked = db.execute("SELECT COUNT(*) FROM requests").fetchone()[0]
        unbooked = db.execute("SELECT COUNT(*) FROM requests WHERE episode_id IS NULL").fetchone()[0]
        episodes = db.execute("SELECT COUNT(*) FROM episodes").fetchone()[0]
    assert booked == delivered and unbooked == 0  # every call the server answered, each in an episode
    assert 1 <= episodes <= 2  # the jobs in flight when the budget was reached (1 or 2 workers), no more
