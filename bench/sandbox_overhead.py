"""Sandbox overhead per command: bwrap sandbox vs a bare subprocess running the same command.

    python bench/sandbox_overhead.py --runs 200 [--realtime]

For each command (`true`, `python -c pass`, `sleep 0.05`), times ``Sandbox.run`` (bwrap + prlimit +
pids cgroup where available + output capture) and a bare ``subprocess.run(["bash", "-c", CMD])``
alternately, after a warm-up, and prints both medians and the difference, and the difference of the
minima (the floor, what is left without other load on the machine). Target: <= 15 ms extra.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    from agentic_pipeline.sandbox import Sandbox, process_cap_mechanism
except ImportError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from agentic_pipeline.sandbox import Sandbox, process_cap_mechanism

TARGET_MS = 15.0
COMMANDS = ("true", "python -c pass", "sleep 0.05")


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def measure(sandbox: Sandbox, command: str, runs: int, warmup: int) -> tuple[list[float], list[float]]:
    """Milliseconds per run (bare, sandboxed), interleaved so that machine load hits both alike."""
    bare_argv = ["bash", "-c", command]
    env = sandbox.env()

    def bare() -> None:
        subprocess.run(bare_argv, cwd=sandbox.workspace, env=env, capture_output=True, check=True)

    def boxed() -> None:
        result = sandbox.run(command)
        if result.exit_code != 0:
            raise RuntimeError(f"{command!r} failed in the sandbox: {result.output}")

    for _ in range(warmup):
        bare()
        boxed()
    bare_ms, boxed_ms = [], []
    for _ in range(runs):
        bare_ms.append(_time(bare))
        boxed_ms.append(_time(boxed))
    return bare_ms, boxed_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="timed runs per command and mode")
    parser.add_argument("--warmup", type=int, default=10, help="untimed runs first")
    parser.add_argument(
        "--realtime",
        action="store_true",
        help="run this process and its children (bare and sandboxed alike) at SCHED_FIFO priority 10, "
        "so that other jobs on a shared machine do not inflate the figures (needs root or CAP_SYS_NICE)",
    )
    args = parser.parse_args()
    if args.realtime:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))
    policy = "SCHED_FIFO 10" if args.realtime else "normal priority"
    with tempfile.TemporaryDirectory() as tmp:
        sandbox = Sandbox(Path(tmp))
        print(f"runs={args.runs} per mode, {policy}, process cap via {process_cap_mechanism()}")
        print(f"load average before: {os.getloadavg()[0]:.2f}")
        header = f"{'command':<16} {'bare ms':>8} {'bwrap ms':>9} {'extra ms':>9} {'min-min':>8}"
        print(f"{header}  (medians; target extra <= {TARGET_MS:g} ms)")
        for command in COMMANDS:
            bare_ms, boxed_ms = measure(sandbox, command, args.runs, args.warmup)
            bare, boxed = statistics.median(bare_ms), statistics.median(boxed_ms)
            floor = min(boxed_ms) - min(bare_ms)
            verdict = "ok" if boxed - bare <= TARGET_MS else "OVER"
            print(f"{command:<16} {bare:>8.1f} {boxed:>9.1f} {boxed - bare:>9.1f} {floor:>8.1f}  {verdict}")
        print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
