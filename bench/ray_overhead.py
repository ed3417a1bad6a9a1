"""What ``--executor ray`` costs per episode, and how it scales from 1 to 2 worker processes.

    python bench/ray_overhead.py                 # 200 oracle episodes each way
    python bench/ray_overhead.py --count 100

The same oracle trajectories (devops shell and config tasks from the templates, ``--split all``)
are generated four times into fresh data directories with the real runner
(``generate.trajectories.generate``): locally with 1 and with 2 episodes at once, then on a local Ray
cluster on 127.0.0.1 (``tests/ray_cluster.py``: a head and one more node, one CPU each, started here
and torn down after) with 1 and with 2 in flight, i.e. on 1 and on 2 worker processes. Validity
answers are computed once before timing, in one task cache the nodes share, so every run measures
checks that hit the cache, episodes (workspace, sandbox commands, verifier) and, on Ray, the tasks'
round trips (two per episode: the check and the episode). A short warm-up run on Ray first starts the
worker processes (each imports the package once per driver).

Ray's overhead per episode = (Ray time - local time) / episodes, at 1 at a time; the target is at most
10% of an episode's local time. The records of the four runs are compared too (timings masked).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
try:
    import agentic_pipeline  # noqa: F401
except ImportError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from agentic_pipeline.agent import RunConfig  # noqa: E402
from agentic_pipeline.generate.pool import LocalExecutor  # noqa: E402
from agentic_pipeline.generate.trajectories import GenerateConfig, generate  # noqa: E402
from agentic_pipeline.tasks.devops_templates import config_tasks, shell_tasks  # noqa: E402
from agentic_pipeline.tasks.validity import task_is_valid  # noqa: E402


def run(tasks: list, count: int, workers: int, executor, out: Path) -> tuple[float, int]:
    config = GenerateConfig(
        count=count, categories=["devops"], out=out, workers=workers, split="all", tasks=tasks,
        run=RunConfig(backend="bwrap"), executor=executor,
    )  # fmt: skip
    start = time.monotonic()
    (counts,) = asyncio.run(generate(config))
    return time.monotonic() - start, counts.kept


async def _nothing() -> None:
    return None


def round_trip_ms(executor, n: int = 200) -> float:
    """The mean time of one empty job sent to a node and back, one at a time."""

    async def go() -> float:
        start = time.monotonic()
        for i in range(n):
            await executor.call(f"noop-{i}", _nothing)
        return (time.monotonic() - start) / n * 1000

    return asyncio.run(go())


def records(out: Path) -> dict[str, dict]:
    rows = [
        json.loads(line) for line in (out / "trajectories" / "devops_tasks.jsonl").read_text().splitlines()
    ]
    for row in rows:
        row["metadata"].pop("duration_s")
    return {r["id"]: r for r in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="Kept episodes per run.")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-ray-"))
    try:
        measure(args.count, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def measure(count: int, tmp: Path) -> None:
    cache = tmp / "cache"
    os.environ["AGENTIC_CACHE_DIR"] = str(cache)  # the driver's; the nodes get the same (shared_cache)
    tasks = shell_tasks(seeds=8) + config_tasks(seeds=8)

    async def warm() -> int:
        return sum([await task_is_valid(t) for t in tasks])

    valid = asyncio.run(warm())
    print(f"machine: {os.cpu_count()} cores ({platform.machine()}), shared with other work")
    print(f"{len(tasks)} candidate tasks, {valid} valid; {count} kept episodes per run")
    times: dict[str, float] = {}
    outs: dict[str, Path] = {}
    for workers in (1, 2):
        name = f"local, {workers} at once"
        outs[name] = tmp / f"local{workers}"
        times[name], kept = run(tasks, count, workers, LocalExecutor(), outs[name])
        print(f"{name:<28} {times[name]:7.1f} s  {kept} kept  {times[name] / kept * 1000:7.1f} ms/episode")

    from ray_cluster import LocalCluster

    from agentic_pipeline.generate.distributed import RayExecutor

    with LocalCluster(cpus=(1, 1), shared_cache=cache) as cluster, RayExecutor(cluster.address) as ray_ex:
        run(tasks, 6, 2, ray_ex, tmp / "warmup")  # start the worker processes
        trip = round_trip_ms(ray_ex)
        print(f"{'ray, an empty job':<28} {trip:7.1f} ms per round trip (an episode makes two)")
        for workers in (1, 2):
            name = f"ray, {workers} worker process{'es' if workers > 1 else ''}"
            outs[name] = tmp / f"ray{workers}"
            times[name], kept = run(tasks, count, workers, ray_ex, outs[name])
            print(
                f"{name:<28} {times[name]:7.1f} s  {kept} kept  {times[name] / kept * 1000:7.1f} ms/episode"
            )
    same = all(records(out) == records(outs["local, 1 at once"]) for out in outs.values())
    local1, ray1, ray2 = (
        times["local, 1 at once"],
        times["ray, 1 worker process"],
        times["ray, 2 worker processes"],
    )
    per_episode = local1 / count
    overhead = (ray1 - local1) / count
    print(f"episode (local, 1 at once): {per_episode * 1000:.1f} ms")
    print(
        f"Ray overhead per episode:   {overhead * 1000:.1f} ms = {overhead / per_episode:.1%} of an episode"
    )
    print(
        f"Ray scaling 1 -> 2 worker processes: {ray1 / ray2:.2f}x (local 1 -> 2: {local1 / times['local, 2 at once']:.2f}x)"
    )
    print(f"same records in all four runs (timings masked): {same}")


if __name__ == "__main__":
    main()
