"""``--executor`` and ``--ray-address`` mistakes end with a message naming the option (exit code 2), never
a traceback and never minutes of Ray retrying an address where nothing listens. No cluster needed."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agentic_pipeline.cli import app
from agentic_pipeline.generate.pool import LocalExecutor, make_executor
from agentic_pipeline.tasks.catalog import write_task_file
from agentic_pipeline.tasks.devops_templates import shell_tasks


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTIC_CACHE_DIR", str(tmp_path / "cache"))


def run(tmp_path: Path, *extra: str):
    tasks = tmp_path / "tasks.jsonl"
    write_task_file(tasks, shell_tasks(seeds=1)[:2])
    args = ["generate", "trajectories", "--category", "devops", "--split", "all", "--tasks", str(tasks)]
    return CliRunner().invoke(app, [*args, "--count", "1", "--out", str(tmp_path / "data"), *extra])


def test_ray_address_without_the_ray_executor_is_a_usage_error(tmp_path: Path) -> None:
    result = run(tmp_path, "--ray-address", "127.0.0.1:6379")
    assert result.exit_code == 2, result.output
    assert "--ray-address is an option of --executor ray" in " ".join(result.output.split())
    assert not (tmp_path / "data" / "trajectories").exists()


def test_an_unknown_executor_is_refused(tmp_path: Path) -> None:
    assert run(tmp_path, "--executor", "spark").exit_code == 2
    with pytest.raises(ValueError, match="expected one of local, ray"):
        make_executor("spark")
    assert isinstance(make_executor("local"), LocalExecutor)


def test_an_address_where_no_cluster_listens_fails_fast_with_the_reason(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run(tmp_path, "--executor", "ray", "--ray-address", f"127.0.0.1:{port}")
    text = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert f"--ray-address 127.0.0.1:{port}: no Ray cluster answers there" in text and "Traceback" not in text
