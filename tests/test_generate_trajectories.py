"""The runner and its CLI: counts, separate rejected file, validation, sharding, shortfall, and resume
after a real kill -9 of the CLI process (no torn line, no duplicate, count reached)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agentic_pipeline.generate.trajectories import order
from agentic_pipeline.jsonl import trim_torn_tail
from agentic_pipeline.tasks.catalog import write_task_file
from agentic_pipeline.tasks.devops_templates import config_tasks, pin_tasks, shell_tasks


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTIC_CACHE_DIR", str(tmp_path / "cache"))


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "agentic_pipeline.cli", *args]


def tasks_file(tmp_path: Path, n: int) -> Path:
    pool = shell_tasks(seeds=1) + config_tasks(seeds=1)
    path = tmp_path / "tasks.jsonl"
    write_task_file(path, pool[:n])
    return path


def kept_lines(out: Path) -> list[str]:
    return (out / "trajectories" / "devops_tasks.jsonl").read_bytes().decode().splitlines(keepends=True)


def test_cli_writes_verified_records_that_pass_the_validator(tmp_path: Path) -> None:
    out = tmp_path / "data"
    tasks = tasks_file(tmp_path, 4)
    done = subprocess.run(
        cli(
            "generate",
            "trajectories",
            "--count",
            "3",
            "--category",
            "devops",
            "--tasks",
            str(tasks),
            "--out",
            str(out),
        ),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in kept_lines(out)]
    assert len(records) == 3 and all(r["outcome"]["verified"] for r in records)
    assert len({r["metadata"]["task_id"] for r in records}) == 3
    valid = subprocess.run(
        cli("validate", "--data-dir", str(out)), capture_output=True, text=True, timeout=300
    )
    assert valid.returncode == 0, valid.stdout + valid.stderr


def test_shortfall_is_reported_and_nothing_is_duplicated(tmp_path: Path) -> None:
    out = tmp_path / "data"
    tasks = tasks_file(tmp_path, 2)
    args = (
        "generate",
        "trajectories",
        "--count",
        "4",
        "--category",
        "devops",
        "--tasks",
        str(tasks),
        "--out",
        str(out),
    )
    done = subprocess.run(cli(*args), capture_output=True, text=True, timeout=300)
    assert done.returncode == 3
    assert "only 2 distinct verified tasks" in " ".join(done.stderr.split())
    again = subprocess.run(cli(*args, "--seed", "5"), capture_output=True, text=True, timeout=300)
    assert again.returncode == 3 and len(kept_lines(out)) == 2  # another seed is not another task


def test_resume_after_kill_9_reaches_the_count_without_torn_or_duplicate_lines(tmp_path: Path) -> None:
    out = tmp_path / "data"
    tasks = tasks_file(tmp_path, 14)
    args = cli("generate", "trajectories", "--count", "10", "--category", "devops", "--tasks", str(tasks))
    args += ["--out", str(out), "--workers", "2"]
    kept = out / "trajectories" / "devops_tasks.jsonl"
    proc = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and (not kept.exists() or len(kept.read_bytes().splitlines()) < 3):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = kept_lines(out)
    assert 3 <= len(before) < 10 and all(line.endswith("\n") for line in before)
    # A writer killed in the middle of a line would leave this; the next run must cut it, not keep it.
    with kept.open("ab") as fh:
        fh.write(b'{"id": "torn", "messa')
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    after = kept_lines(out)
    records = [json.loads(line) for line in after]
    ids = [r["metadata"]["task_id"] for r in records]
    assert len(records) == 10 and len(set(ids)) == 10 and after[: len(before)] == before
    rejected = out / "rejected" / "trajectories" / "devops.jsonl"
    rejected_ids = (
        {json.loads(x)["metadata"]["task_id"] for x in rejected.read_text().splitlines()}
        if rejected.exists()
        else set()
    )
    assert not rejected_ids & set(ids)


def test_trim_torn_tail(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_bytes(b'{"a": 1}\n{"b": 2}\n{"c": ')
    trim_torn_tail(path)
    assert path.read_bytes() == b'{"a": 1}\n{"b": 2}\n'
    path.write_bytes(b'{"only": "torn"')
    trim_torn_tail(path)
    assert path.read_bytes() == b""


def test_shards_are_disjoint_and_cover_everything_whatever_the_seed() -> None:
    pool = shell_tasks(seeds=2) + pin_tasks(count=6)
    for seed in (0, 1):
        shards = [{t.id for t in order(pool, seed, (i, 3))} for i in range(3)]
        assert not (shards[0] & shards[1]) and not (shards[1] & shards[2]) and not (shards[0] & shards[2])
        assert set().union(*shards) == {t.id for t in pool}
    assert [t.id for t in order(pool, 0)] != [t.id for t in order(pool, 1)]


def test_bad_options_are_errors_for_people(tmp_path: Path) -> None:
    done = subprocess.run(
        cli("generate", "trajectories", "--count", "1", "--shard", "3/2"), capture_output=True, text=True
    )
    assert done.returncode == 2 and "--shard 3/2" in done.stderr and "Traceback" not in done.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n')
    done = subprocess.run(
        cli("generate", "trajectories", "--count", "1", "--tasks", str(bad)), capture_output=True, text=True
    )
    assert done.returncode == 2 and f"{bad}:1" in done.stderr and "Traceback" not in done.stderr


def test_seed_compatible_script_runs_the_same_command(tmp_path: Path) -> None:
    tasks = tmp_path / "pins.jsonl"
    write_task_file(tasks, pin_tasks(count=2)[:1])
    script = Path(__file__).resolve().parents[1] / "generators" / "generate_trajectories.py"
    args = ["--count", "1", "--category", "devops", "--tasks", str(tasks), "--out", str(tmp_path / "data")]
    done = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert len(kept_lines(tmp_path / "data")) == 1


def test_a_resumed_run_gives_tasks_whose_teacher_failed_another_episode(tmp_path: Path) -> None:
    import asyncio

    from agentic_pipeline.generate.trajectories import GenerateConfig, generate
    from agentic_pipeline.layout import rejected_file
    from agentic_pipeline.llm.retry import RetryPolicy
    from agentic_pipeline.teacher import TeacherConfig

    out = tmp_path / "data"
    tasks = (shell_tasks(seeds=1) + config_tasks(seeds=1))[:2]
    config = GenerateConfig(count=2, categories=["devops"], out=out, tasks=tasks)
    # A teacher whose server is gone: nothing listens on port 1, every call fails after its retries.
    down = TeacherConfig(spec="openai:down", base_url="http://127.0.0.1:1/v1")
    with down.open(
        out, api_key="sk-test-0123456789", max_retries=0, retry=RetryPolicy(attempts=1)
    ) as teacher:
        [state] = asyncio.run(generate(config, teacher))
    rejected = [json.loads(line) for line in rejected_file(out, "devops").read_text().splitlines()]
    assert state.kept == 0 and {r["outcome"]["exit_status"] for r in rejected} == {"policy_error"}

    [state] = asyncio.run(generate(config))  # the oracle, on the same data
    records = [json.loads(line) for line in kept_lines(out)]
    assert state.kept == 2 and len(records) == 2
    assert {r["metadata"]["task_id"] for r in records} == {r["metadata"]["task_id"] for r in rejected}


def test_a_verified_episode_cut_by_the_step_limit_is_not_kept(tmp_path: Path) -> None:
    """At --max-steps 3 the oracle has the script fixed (the verifier passes) but has not said so: the
    episode ends on a tool turn, which would teach a model to stop mid-task. It goes to rejected/ with
    the reason, and nothing kept ends on a tool turn."""
    out = tmp_path / "data"
    tasks = tasks_file(tmp_path, 4)
    args = (
        "--count",
        "2",
        "--category",
        "devops",
        "--tasks",
        str(tasks),
        "--max-steps",
        "3",
        "--out",
        str(out),
    )
    done = subprocess.run(cli("generate", "trajectories", *args), capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 3), done.stderr
    kept_file = out / "trajectories" / "devops_tasks.jsonl"
    kept = [json.loads(line) for line in kept_lines(out)] if kept_file.exists() else []
    assert all(
        r["messages"][-1]["role"] == "assistant" and not r["messages"][-1].get("tool_calls") for r in kept
    )
    rejected = [
        json.loads(line)
        for line in (out / "rejected" / "trajectories" / "devops.jsonl").read_text().splitlines()
    ]
    cut = [r for r in rejected if r["outcome"]["verified"]]
    assert cut, "expected a verified episode cut by the step limit among the rejected"
    assert all("before the agent's final answer" in r["metadata"]["rejected_reason"] for r in cut)
    assert all(r["messages"][-1]["role"] == "tool" for r in cut)
