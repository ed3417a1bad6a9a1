"""``--executor ray`` on a real two-node Ray cluster on 127.0.0.1 (``tests/ray_cluster.py``, one per module):
the same records as the local executor; a worker killed -9 mid-run (its job runs again, counted once)
and a driver killed -9 mid-run, then resumed: nothing lost, duplicated or torn; a paid teacher's
budget stops the run across the nodes, and every call the server answered is in the driver's ledger;
a paid episode whose worker dies is run again without paying twice for what its first attempt got;
eval, generate preferences, convert and validate on the nodes write what a local run writes.

Deselect with ``-m "not ray"``; skipped where Ray is not installed (``pip install -e '.[ray]'``).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("ray")

from ray_cluster import LocalCluster, ray_processes  # noqa: E402
from teacher_server import TeacherServer  # noqa: E402
from test_teachers_episodes import COMMANDS, marker_task  # noqa: E402
from test_teachers_protocol import assert_ledger_matches  # noqa: E402

from agentic_pipeline.llm.ledger import Ledger  # noqa: E402
from agentic_pipeline.tasks.catalog import write_task_file  # noqa: E402
from agentic_pipeline.tasks.devops_templates import config_tasks, shell_tasks  # noqa: E402

pytestmark = [pytest.mark.ray, pytest.mark.slow]


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(cpus=(1, 1)) as started:
        yield started


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTIC_CACHE_DIR", str(tmp_path / "driver-cache"))


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "agentic_pipeline.cli", *args]


def driver_env() -> dict[str, str]:
    src = str(Path(__file__).resolve().parents[1] / "src")
    return {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}


def tasks_file(tmp_path: Path, n: int) -> Path:
    path = tmp_path / "tasks.jsonl"
    write_task_file(path, (shell_tasks(seeds=3) + config_tasks(seeds=3))[:n])
    return path


def generate(out: Path, tasks: Path, count: int, *extra: str) -> list[str]:
    return cli(
        "generate", "trajectories", "--category", "devops", "--split", "all", "--tasks", str(tasks),
        "--count", str(count), "--workers", "2", "--out", str(out), *extra,
    )  # fmt: skip


def on_ray(cluster: LocalCluster) -> tuple[str, ...]:
    return ("--executor", "ray", "--ray-address", cluster.address)


def records(out: Path) -> dict[str, dict]:
    """Kept records by id, their timings masked; fails on a torn line or an id written twice."""
    path = out / "trajectories" / "devops_tasks.jsonl"
    data = path.read_bytes()
    assert not data or data.endswith(b"\n"), "torn last line"
    rows = [json.loads(line) for line in data.decode().splitlines()]
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "a record written twice"
    for row in rows:
        row["metadata"].pop("duration_s")
    return {r["id"]: r for r in rows}


def rejections(root: Path) -> list[str]:
    """Why each run rejected what it rejected (a different set kept means one run rejected a task)."""
    return [
        f"{out} rejected {json.loads(line)['id']}: {json.loads(line)['metadata'].get('rejected_reason')}"
        for out in ("local", "ray")
        for path in (root / out / "rejected").rglob("*.jsonl")
        for line in path.read_text().splitlines()
        if line.strip()
    ]


def differences(a: dict, b: dict, path: str = "") -> list[str]:
    """Where two records differ (for the message of a failed comparison)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [
            d
            for k in sorted(set(a) | set(b), key=str)
            for d in differences(a.get(k), b.get(k), f"{path}.{k}")
        ]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in differences(x, y, f"{path}[{i}]")
        ]
    return [] if a == b else [f"{path}: {str(a)[:200]!r} != {str(b)[:200]!r}"]


def test_the_same_records_as_the_local_executor(cluster: LocalCluster, tmp_path: Path) -> None:
    tasks = tasks_file(tmp_path, 10)
    local = subprocess.run(
        generate(tmp_path / "local", tasks, 6), capture_output=True, text=True, env=driver_env(), timeout=300
    )
    assert local.returncode == 0, local.stderr
    ray = subprocess.run(
        generate(tmp_path / "ray", tasks, 6, *on_ray(cluster)),
        capture_output=True,
        text=True,
        env={**driver_env(), "AGENTIC_CACHE_DIR": str(tmp_path / "ray-driver-cache")},
        timeout=300,
    )
    assert ray.returncode == 0, ray.stderr + cluster.logs()
    assert "6/6 kept" in ray.stderr
    remote, local_records = records(tmp_path / "ray"), records(tmp_path / "local")
    assert remote == local_records, [*differences(remote, local_records)[:10], *rejections(tmp_path)]
    # The jobs ran on the nodes (their own task caches), not in the driver.
    assert not (tmp_path / "ray-driver-cache" / "validity.jsonl").exists()
    assert any((cluster.root / f"cache-node{n}" / "validity.jsonl").exists() for n in (0, 1))


def _wait_for(predicate, timeout: float, what: str, proc: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the run ended before {what}: {proc.stderr.read() if proc.stderr else ''}")
        time.sleep(0.005)
    raise AssertionError(f"timed out waiting for {what}")


def _kept(out: Path) -> int:
    path = out / "trajectories" / "devops_tasks.jsonl"
    return path.read_bytes().count(b"\n") if path.exists() else 0


def test_a_killed_worker_and_a_killed_driver_lose_nothing(cluster: LocalCluster, tmp_path: Path) -> None:
    tasks, out = tasks_file(tmp_path, 40), tmp_path / "data"
    # 1. kill -9 a worker process in the middle of a job: the job runs again elsewhere, counted once.
    run = subprocess.Popen(
        generate(out, tasks, 12, *on_ray(cluster)), stderr=subprocess.PIPE, text=True, env=driver_env()
    )
    victim = _wait_for(ray_processes, 120, "a job running on a node", run)[0]
    os.kill(victim, signal.SIGKILL)
    _, stderr = run.communicate(timeout=300)
    assert run.returncode == 0, stderr
    text = " ".join(stderr.split())
    assert "12/12 kept (12 new)" in text and "1 run again after their worker died" in text, text
    assert len(records(out)) == 12  # and none twice (records() checks)
    # 2. kill -9 the driver mid-run, then resume: the count is reached, nothing lost, twice or torn.
    run = subprocess.Popen(
        generate(out, tasks, 30, *on_ray(cluster)), stderr=subprocess.DEVNULL, env=driver_env()
    )
    _wait_for(lambda: _kept(out) >= 16, 120, "records from the second run", run)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    before = records(out)  # whole lines only (a torn tail would fail here... or be trimmed on resume)
    resumed = subprocess.run(
        generate(out, tasks, 30, *on_ray(cluster)),
        capture_output=True,
        text=True,
        env=driver_env(),
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    after = records(out)
    assert len(after) == 30 and set(before) <= set(after)
    assert len({r["metadata"]["task_id"] for r in after.values()}) == 30


def test_the_budget_stops_a_paid_run_across_the_nodes(cluster: LocalCluster, tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.jsonl"
    write_task_file(tasks, [marker_task(n) for n in range(8)])
    data = tmp_path / "data"
    with TeacherServer() as server:
        server.state.commands = COMMANDS
        done = subprocess.run(
            cli(
                "generate",
                "trajectories",
                "--category",
                "devops",
                "--tasks",
                str(tasks),
                "--split",
                "all",
                "--count",
                "8",
                "--workers",
                "2",
                "--out",
                str(data),
                "--teacher",
                "anthropic:claude-sonnet-5-5",
                "--base-url",
                server.url,
                "--max-cost-usd",
                "0.000001",
                *on_ray(cluster),
            ),  # fmt: skip
            capture_output=True,
            text=True,
            env={**driver_env(), "ANTHROPIC_API_KEY": "sk-ant-api03-RAYTEST-0123456789"},
            timeout=300,
        )
        assert done.returncode == 4, done.stderr + cluster.logs()
        assert "--max-cost-usd reached" in " ".join(done.stderr.split())
        with Ledger(data) as ledger:
            assert_ledger_matches(ledger, server)  # every call the nodes' episodes made, in one ledger
            assert 1 <= sum(ledger.episode_counts().values()) <= 2  # the jobs in flight, no more
    with sqlite3.connect(data / "ledger.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM requests WHERE episode_id IS NULL").fetchone()[0] == 0
    kept = records(data)
    assert 1 <= len(kept) <= 2 and all(
        r["metadata"]["teacher"] == "anthropic:claude-sonnet-5-5" for r in kept.values()
    )


def test_convert_and_validate_on_the_nodes_write_what_a_local_run_writes(
    cluster: LocalCluster, tmp_path: Path
) -> None:
    import dataclasses
    import filecmp
    import random

    from agentic_pipeline.convert import Options as ConvertOptions
    from agentic_pipeline.convert import convert_inputs
    from agentic_pipeline.curate import Options as ValidateOptions
    from agentic_pipeline.curate import validate, write_fixed
    from agentic_pipeline.generate.distributed import RayExecutor

    inputs = tmp_path / "in" / "shell"
    inputs.mkdir(parents=True)
    rng = random.Random(0)
    with (inputs / "qa.jsonl").open("w") as f:
        for i in range(400):
            if i % 97 == 5:
                f.write("{not json\n")  # a reject, with its line number
            elif i % 89 == 3:
                f.write(
                    json.dumps({"instruction": f"Say {i // 2}", "input": "", "output": f"Answer {i // 2}"})
                    + "\n"
                )
            else:
                text = "x" * rng.randint(10, 300)
                f.write(
                    json.dumps({"instruction": f"Say {i}", "input": "", "output": f"Answer {i} {text}"})
                    + "\n"
                )

    def convert(out: Path, executor=None) -> None:
        convert_inputs(
            [inputs.parent], out, ConvertOptions(chunk_bytes=8 << 10, workers=1, executor=executor)
        )

    def check(data: Path, executor=None):
        return validate(ValidateOptions(data_dir=data, chunk_bytes=8 << 10, workers=1, executor=executor))

    convert(tmp_path / "local" / "domain")
    local = check(tmp_path / "local")
    with RayExecutor(cluster.address) as ray_ex:
        convert(tmp_path / "ray" / "domain", ray_ex)
        on_ray = check(tmp_path / "local", ray_ex)
    compared = filecmp.dircmp(tmp_path / "local" / "domain", tmp_path / "ray" / "domain")
    assert (
        compared.left_list == compared.right_list and (tmp_path / "ray" / "domain" / "shell.jsonl").exists()
    )
    for name in ("shell.jsonl", "rejected/convert.jsonl"):  # byte for byte
        assert (tmp_path / "local" / "domain" / name).read_bytes() == (
            tmp_path / "ray" / "domain" / name
        ).read_bytes()
    assert local.findings and [dataclasses.astuple(f) for f in on_ray.findings] == [
        dataclasses.astuple(f) for f in local.findings
    ]
    timing = ("seconds", "records_per_s", "mb_per_s", "render")  # render: how many were sampled per process
    assert {k: v for k, v in on_ray.summary.items() if k not in timing} == {
        k: v for k, v in local.summary.items() if k not in timing
    }
    write_fixed(local, tmp_path / "local", tmp_path / "fixed-local")
    write_fixed(on_ray, tmp_path / "local", tmp_path / "fixed-ray")
    for path in sorted((tmp_path / "fixed-local").rglob("*.jsonl")):
        assert (
            path.read_bytes()
            == (tmp_path / "fixed-ray" / path.relative_to(tmp_path / "fixed-local")).read_bytes()
        )


def test_preference_candidates_measured_on_the_nodes_make_the_local_pairs(
    cluster: LocalCluster, tmp_path: Path
) -> None:
    import re

    def pairs(out: Path, *extra: str) -> list[str]:
        args = cli(
            "generate", "preferences", "--category", "code_quality", "--count", "2", "--no-trajectories",
            "--no-derived", "--cache", str(out / "measure.jsonl"), "--out", str(out), *extra,
        )  # fmt: skip
        done = subprocess.run(args, capture_output=True, text=True, env=driver_env(), timeout=300)
        assert done.returncode == 0, done.stderr + cluster.logs()
        text = (out / "preferences" / "code_quality.jsonl").read_text()
        # When a measurement was taken and how long pytest said it took differ from run to run.
        return re.sub(r'"measured_at": "[^"]*"|in \d+\.\d+s', "", text).splitlines()

    local, remote = pairs(tmp_path / "local"), pairs(tmp_path / "ray", *on_ray(cluster))
    assert len(local) == 2 and remote == local


def test_a_paid_episode_whose_worker_dies_is_run_again_without_paying_twice(
    cluster: LocalCluster, tmp_path: Path
) -> None:
    tasks = tmp_path / "tasks.jsonl"
    write_task_file(tasks, [marker_task(n) for n in range(4)])
    data = tmp_path / "data"
    # 3 requests per episode, 0.4 s each; a 429 (retry-after) and a 500 on the way, ridden out by the
    # driver's client.
    with TeacherServer(faults=["429", "ok", "500"], latency=0.4) as server:
        server.state.commands = COMMANDS
        run = subprocess.Popen(
            cli(
                "generate",
                "trajectories",
                "--category",
                "devops",
                "--tasks",
                str(tasks),
                "--split",
                "all",
                "--count",
                "4",
                "--workers",
                "2",
                "--out",
                str(data),
                "--teacher",
                "anthropic:claude-sonnet-5-5",
                "--base-url",
                server.url,
                *on_ray(cluster),
            ),  # fmt: skip
            stderr=subprocess.PIPE,
            text=True,
            env={**driver_env(), "ANTHROPIC_API_KEY": "sk-ant-api03-RAYTEST-0123456789"},
        )
        _wait_for(lambda: len(server.state.delivered) >= 1, 120, "a paid request", run)
        for pid in ray_processes():  # every worker running a job now: an episode is halfway
            os.kill(pid, signal.SIGKILL)
        _, stderr = run.communicate(timeout=300)
        assert run.returncode == 0, stderr + cluster.logs()
        assert "run again after their worker died" in " ".join(stderr.split())
        assert server.state.faults_served == ["429", "ok", "500"]
        # The answers a dead attempt was paid for were replayed to its new attempt: 3 requests per
        # episode, not one more.
        assert len(server.state.delivered) == 3 * 4
        with Ledger(data) as ledger:
            assert_ledger_matches(ledger, server)
            assert ledger.episode_counts() == {"finished": 4}
    kept = records(data)
    assert len(kept) == 4 and all(r["outcome"]["verified"] for r in kept.values())
    # The sandbox on the node ran the scripted `env`: the driver's key never reached it.
    assert all("RAYTEST" not in json.dumps(r["messages"]) for r in kept.values())


def test_eval_on_the_nodes_gives_the_local_results(cluster: LocalCluster, tmp_path: Path) -> None:
    import re

    tasks = tmp_path / "tasks.jsonl"
    write_task_file(tasks, (shell_tasks(seeds=1) + config_tasks(seeds=1))[:6])

    def results(out: Path, *extra: str) -> tuple[list[str], list[str]]:
        args = cli(
            "eval", "--tasks", str(tasks), "--split", "all", "--category", "devops", "--count", "3",
            "--samples", "2", "--workers", "2", "--out", str(out), *extra,
        )  # fmt: skip
        done = subprocess.run(args, capture_output=True, text=True, env=driver_env(), timeout=300)
        assert done.returncode == 0, done.stderr + cluster.logs()
        rows = (out / "results.jsonl").read_text()
        (trajectories,) = (out / "trajectories").glob("*.jsonl")
        timing = r'"(seconds|duration_s)": [0-9.]+'
        return sorted(re.sub(timing, "", rows).splitlines()), sorted(
            re.sub(timing, "", trajectories.read_text()).splitlines()
        )

    local = results(tmp_path / "local")
    assert len(local[0]) == 6 and len(local[1]) == 6  # 3 tasks x 2 samples, a row and a record each
    assert results(tmp_path / "ray", *on_ray(cluster)) == local


def test_a_node_without_a_tasks_base_folder_stops_the_run_before_any_job(
    cluster: LocalCluster, tmp_path: Path
) -> None:
    import dataclasses
    import shutil

    base = tmp_path / "mined-repo"  # a mined repository, say, on the driver's disk only
    base.mkdir()
    (base / "README.md").write_text("hello\n")
    tasks = tmp_path / "tasks.jsonl"
    write_task_file(tasks, [dataclasses.replace(marker_task(0), base=str(base))])
    shutil.rmtree(base)  # ... which the nodes (here: no machine at all) don't have
    done = subprocess.run(
        generate(tmp_path / "data", tasks, 1, *on_ray(cluster)),
        capture_output=True,
        text=True,
        env=driver_env(),
    )
    text = " ".join(done.stderr.split())
    assert done.returncode == 2, done.stderr
    assert (
        f"lacks 1 of the 1 folders the tasks are copied from, e.g. {base}" in text and "Traceback" not in text
    )
