"""``agentic eval``: models run as agents on the same tasks, through the same loop, sandbox and verifier.

Driven through the real CLI: the offline oracle and a real OpenAI-protocol server on 127.0.0.1 whose
scripted solver looks around and answers without doing the work; the same tasks for both, a paired
comparison, resume after kill -9.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from teacher_server import TeacherServer
from typer.testing import CliRunner

from agentic_pipeline.cli import app
from agentic_pipeline.generate.evaluate import mcnemar_p, pass_at_k, wilson
from agentic_pipeline.tasks.catalog import write_task_file
from agentic_pipeline.tasks.devops_templates import config_tasks, shell_tasks


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTIC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-0123456789")


def task_file(tmp_path: Path, n: int = 6) -> Path:
    path = tmp_path / "tasks.jsonl"
    write_task_file(path, (shell_tasks(seeds=2) + config_tasks(seeds=2))[:n])
    return path


def rows(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]


def test_two_models_on_the_same_tasks_are_compared_paired_by_task(tmp_path: Path) -> None:
    out, tasks = tmp_path / "eval", task_file(tmp_path)
    with TeacherServer() as server:
        scripted = "openai:scripted"
        args = ["eval", "--model", "oracle", "--model", scripted, "--base-url", server.url + "/v1", "--count", "6",
                "--category", "devops", "--split", "all", "--tasks", str(tasks), "--out", str(out)]  # fmt: skip
        result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    got = rows(out)
    by_model = {m: {r["task"] for r in got if r["model"] == m} for m in ("oracle", scripted)}
    assert len(by_model["oracle"]) == 6 and by_model["oracle"] == by_model[scripted]  # the same tasks
    assert all(r["verified"] for r in got if r["model"] == "oracle")
    assert not any(r["verified"] for r in got if r["model"] == scripted)  # it never does the work
    summary = json.loads((out / "summary.json").read_text())
    (pair,) = summary["pairs"]
    assert (pair["only_a"], pair["only_b"], pair["difference"]) == (6, 0, 1.0)
    assert pair["significant"] and pair["p_value"] == pytest.approx(2 / 64)
    assert summary["models"]["oracle"]["all"]["resolve_rate"] == 1.0
    assert summary["models"][scripted]["devops"]["episodes"] == 6
    assert "| oracle | devops |" in (out / "summary.md").read_text() and "significant" in result.output
    assert (out / "resolve_rate.png").read_bytes()[:4] == b"\x89PNG"
    trajectories = list((out / "trajectories").glob("*.jsonl"))
    assert sorted(len(p.read_text().splitlines()) for p in trajectories) == [6, 6]


def test_eval_resumes_after_kill_9_without_rerunning_finished_episodes(tmp_path: Path) -> None:
    out, tasks = tmp_path / "eval", task_file(tmp_path)
    cmd = [sys.executable, "-m", "agentic_pipeline.cli", "eval", "--model", "oracle", "--count", "6", "--category",
           "devops", "--split", "all", "--tasks", str(tasks), "--out", str(out), "--workers", "1"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if (out / "results.jsonl").exists() and len((out / "results.jsonl").read_text().splitlines()) >= 2:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = rows(out)
    assert 2 <= len(before) < 6
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    after = rows(out)
    keys = [(r["model"], r["task"], r["sample"]) for r in after]
    assert len(keys) == len(set(keys)) == 6  # nothing lost, nothing twice
    assert after[: len(before)] == before  # finished episodes were not run again
    (trajectories,) = (out / "trajectories").glob("*.jsonl")
    ids = [json.loads(line)["id"] for line in trajectories.read_text().splitlines()]
    assert len(ids) == len(set(ids)) == 6


def test_a_model_that_cannot_be_opened_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["eval", "--model", "gemini:pro", "--count", "2", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2 and "expected oracle" in result.output and "Traceback" not in result.output


def test_the_statistics() -> None:
    low, high = wilson(8, 10)
    assert 0.49 < low < 0.50 and 0.94 < high < 0.95  # the textbook Wilson interval of 8/10
    assert wilson(0, 0) == (0.0, 0.0)
    assert (
        pass_at_k(5, 1, 1) == pytest.approx(0.2) and pass_at_k(5, 1, 5) == 1.0 and pass_at_k(5, 0, 3) == 0.0
    )
    assert mcnemar_p(6, 0) == pytest.approx(2 / 64) and mcnemar_p(3, 3) == 1.0 and mcnemar_p(0, 0) == 1.0
