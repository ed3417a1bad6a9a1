"""Verified trajectories per minute with the offline oracle teacher, per family, on this machine.

    python bench/trajectories_per_minute.py                   # 12 per family, 2 workers
    python bench/trajectories_per_minute.py --count 30 --workers 4

Runs the real runner (``agentic_pipeline.generate.trajectories.generate``) into a temporary data
directory: candidate validity checks (cached after ``bench/task_inventory.py``), workspace setup,
the oracle's episode through the sandbox and the final verifier are all inside the measured time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

try:
    import agentic_pipeline  # noqa: F401
except ImportError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from agentic_pipeline.agent import RunConfig
from agentic_pipeline.generate.trajectories import GenerateConfig, generate
from agentic_pipeline.records import TRAJECTORY_CATEGORIES


def run_family(family: str, count: int, workers: int, seed: int) -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory(prefix="bench-traj-") as tmp:
        config = GenerateConfig(
            count=count,
            categories=[family],
            out=Path(tmp),
            workers=workers,
            seed=seed,
            run=RunConfig(seed=seed),
        )
        start = time.monotonic()
        (state,) = asyncio.run(generate(config))
        return time.monotonic() - start, state.kept, state.rejected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=12, help="Kept trajectories per family.")
    parser.add_argument("--workers", type=int, default=2, help="Episodes at once.")
    parser.add_argument(
        "--seed", type=int, default=1, help="Task order (a seed not used before avoids warm caches)."
    )
    args = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, workers={args.workers}"
    )
    print(f"{'family':<12} {'kept':>5} {'rejected':>8} {'seconds':>8} {'per min':>8}")
    for family in TRAJECTORY_CATEGORIES:
        seconds, kept, rejected = run_family(family, args.count, args.workers, args.seed)
        print(f"{family:<12} {kept:>5} {rejected:>8} {seconds:>8.1f} {kept / seconds * 60:>8.1f}")


if __name__ == "__main__":
    main()
