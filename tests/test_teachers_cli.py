"""``agentic generate trajectories`` with a paid teacher: --dry-run, --max-cost-usd, the ledger, resume.

Driven through the real CLI app, the real runner and sandbox, against a local protocol server.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from teacher_server import TeacherServer
from test_teachers_episodes import COMMANDS, marker_task
from typer.testing import CliRunner

from agentic_pipeline.cli import app
from agentic_pipeline.llm.ledger import Ledger
from agentic_pipeline.tasks.catalog import write_task_file

TEACHER = "anthropic:claude-sonnet-5-5"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTIC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-CLITEST-0123456789")


def generate(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["generate", "trajectories", "--category", "devops", *args])
    return result.exit_code, result.output


def test_dry_run_prints_calls_tokens_and_dollars_and_sends_nothing(tmp_path: Path) -> None:
    out = tmp_path / "data"
    code, text = generate(
        "--count",
        "1000",
        "--teacher",
        TEACHER,
        "--base-url",
        "http://127.0.0.1:9",
        "--out",
        str(out),
        "--dry-run",
    )
    assert code == 0, text
    assert "dry run: 1000 episodes with claude-sonnet-5-5" in text
    assert "no cache, live" in text and "cached, live" in text and "$" in text
    assert not out.exists()  # nothing started, nothing written


def test_budget_stops_new_episodes_and_a_rerun_continues_without_paying_twice(tmp_path: Path) -> None:
    out, tasks = tmp_path / "data", tmp_path / "tasks.jsonl"
    write_task_file(tasks, [marker_task(n) for n in range(4)])
    common = [
        "--count",
        "4",
        "--tasks",
        str(tasks),
        "--out",
        str(out),
        "--teacher",
        TEACHER,
        "--workers",
        "2",
    ]
    with TeacherServer() as server:
        server.state.commands = COMMANDS
        code, text = generate(
            *common, "--base-url", server.url, "--max-cost-usd", "0.000001", "--concurrency", "4"
        )
        assert code == 4, text
        assert "--max-cost-usd reached" in text
        first_calls = len(server.state.delivered)
        kept = (out / "trajectories" / "devops_tasks.jsonl").read_text().splitlines()
        assert len(kept) == 2  # the two episodes in flight when the budget was reached finished
        code, text = generate(*common, "--base-url", server.url, "--max-cost-usd", "5")
        assert code == 0, text
        assert len(server.state.delivered) == first_calls + 2 * 3  # only the two missing episodes ran
    records = [
        json.loads(line) for line in (out / "trajectories" / "devops_tasks.jsonl").read_text().splitlines()
    ]
    assert sorted(r["metadata"]["task_id"] for r in records) == [f"test-marker-{n}" for n in range(4)]
    with Ledger(out) as ledger:
        assert ledger.totals().requests == len(server.state.delivered)
        assert sorted(ledger.finished()) == [f"test-marker-{n}" for n in range(4)]
        assert f"${ledger.total_usd():.4f}" in text


def test_a_missing_key_is_an_error_for_people(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    code, text = generate("--count", "1", "--teacher", TEACHER, "--out", str(tmp_path / "data"))
    assert code == 2 and "set ANTHROPIC_API_KEY" in text and "Traceback" not in text


SHARED = (
    "--teacher",
    "--base-url",
    "--max-cost-usd",
    "--concurrency",
    "--rpm",
    "--itpm",
    "--otpm",
    "--thinking",
)


@pytest.mark.parametrize("command", ["trajectories", "conversations", "reasoning"])
def test_every_generating_command_takes_the_same_teacher_options(command: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["generate", command, "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert all(flag in result.output for flag in SHARED), result.output
    code = CliRunner().invoke(
        app,
        [
            "generate",
            command,
            "--count",
            "1",
            "--teacher",
            TEACHER,
            "--thinking",
            "12",
            "--out",
            str(tmp_path),
        ],
    )
    assert code.exit_code == 2 and "--thinking '12'" in code.output and "Traceback" not in code.output
