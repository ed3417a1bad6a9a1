"""Teacher concurrency: do N episodes against a slow teacher take the time the latency implies?

    python bench/teacher_concurrency.py --episodes 200 --concurrency 64 --latency 1.0

A local server speaking the Anthropic Messages API (tests/teacher_server.py, in its own process)
answers every call after ``--latency`` seconds; its scripted solver needs 3 calls per episode (bash, bash, finish).
Episodes run through the shipped path for paid teachers: a ``Teacher`` opened as every command
opens it (``AnthropicPolicy`` on the official SDK, the cost ledger, the shared ``RateLimiter``) and
the generators' one worker pool, ``generate.pool.fill`` (jobs in flight, budget, episode booking). Tool calls are
answered in-process, not in the sandbox: this measures the teacher side, the sandbox has its own
benchmark. Target: wall time within 1.2x of calls x latency / concurrency.

Two ways to spend a concurrency of 64 are measured:
- ``episodes``: 64 episodes in flight (the runner's ``--workers 64``). Identical 3-call episodes then
  run in waves, and 200/64 needs 4 waves for 3.125 waves of work: 1.28x is the floor of this mode.
- ``requests``: 64 model requests in flight (``--concurrency 64``), every episode admitted; a slot
  is held only while a request is out, so the tail of one wave overlaps the next.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from agentic_pipeline.generate.pool import Counts, Done, Job, fill  # noqa: E402
from agentic_pipeline.policies.base import Policy  # noqa: E402
from agentic_pipeline.teacher import TeacherConfig  # noqa: E402

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": name,
            "description": name,
            "parameters": {"type": "object", "properties": {arg: {"type": "string"}}, "required": [arg]},
        },
    }
    for name, arg in (("bash", "command"), ("finish", "summary"))
]


async def episode(policy: Policy) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "Agent."},
        {"role": "user", "content": "Go."},
    ]
    while True:
        response = await policy.act(messages, TOOLS, None)
        messages.append(response.message)
        calls = response.message.get("tool_calls") or []
        for call in calls:
            messages.append(
                {"role": "tool", "tool_call_id": call["id"], "name": "bash", "content": "ok\n[exit code: 0]"}
            )
        if not calls or calls[0]["function"]["name"] == "finish":
            return messages


def serve(latency: float, commands: tuple[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    """The server in its own process, so that its threads don't compete with the client for one GIL."""
    cmd = [sys.executable, str(ROOT / "tests" / "teacher_server.py"), "--latency", str(latency)]
    cmd += ["--commands", *commands] if commands else []
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    return proc, proc.stdout.readline().strip()


def measure(mode: str, episodes: int, concurrency: int, latency: float) -> dict[str, float]:
    proc, url = serve(latency)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = TeacherConfig(
                spec="anthropic:claude-sonnet-5-5", base_url=url, request_timeout=60,
                concurrency=concurrency if mode == "requests" else None,
            )  # fmt: skip
            with config.open(Path(tmp), api_key="bench") as teacher:
                policy = teacher.policy()

                def job(key: str) -> Job:
                    async def run() -> Done:
                        await episode(policy)
                        return Done(key, kept=True)

                    return Job(key, run)

                in_flight = concurrency if mode == "episodes" else episodes
                counts = Counts("episodes", episodes)
                start = time.perf_counter()
                asyncio.run(
                    fill(
                        counts, (job(f"ep-{i}") for i in range(episodes)), workers=in_flight, teacher=teacher
                    )
                )
                wall = time.perf_counter() - start
                calls = teacher.ledger.totals().requests
                assert counts.kept == episodes and calls == 3 * episodes
    finally:
        proc.terminate()
        proc.wait()
    return {"wall": wall, "calls": calls}


def measure_runner(episodes: int, concurrency: int, latency: float) -> dict[str, float]:
    """The same through the project's runner: real agent loop, real sandbox, real verifier per episode."""
    import os

    from agentic_pipeline.agent import RunConfig
    from agentic_pipeline.generate.trajectories import GenerateConfig, generate
    from agentic_pipeline.tasks.base import Check, Edit, Solution, Task, Verifier

    tasks = [
        Task(
            id=f"bench-marker-{n}",
            family="devops",
            source="bench",
            instruction="Create checked.txt containing the word checked.",
            base=None,
            files={"README.md": f"task {n}\n"},
            verifier=Verifier(
                checks=[Check(kind="command", name="marker", cmd="cat checked.txt", expect="checked")]
            ),
            solution=Solution(kind="edits", edits=[Edit(path="checked.txt", old="", new="checked\n")]),
        )
        for n in range(episodes)
    ]
    proc, url = serve(latency, ("ls", "echo checked > checked.txt"))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["AGENTIC_CACHE_DIR"] = str(Path(tmp) / "cache")
            data = Path(tmp) / "data"
            spec = TeacherConfig(
                spec="anthropic:claude-sonnet-5-5", base_url=url, concurrency=concurrency, request_timeout=60
            )
            with spec.open(data, api_key="bench") as teacher:
                config = GenerateConfig(
                    count=episodes,
                    categories=["devops"],
                    out=data,
                    workers=episodes,
                    tasks=tasks,
                    run=RunConfig(),
                )
                start = time.perf_counter()
                states = asyncio.run(generate(config, teacher))
                wall = time.perf_counter() - start
                calls = teacher.ledger.totals().requests
            assert states[0].kept == episodes, states
    finally:
        proc.terminate()
        proc.wait()
    return {"wall": wall, "calls": calls}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument(
        "--latency", type=float, default=1.0, help="seconds the server waits before each answer"
    )
    parser.add_argument("--runner", action="store_true", help="also run through the runner and the sandbox")
    args = parser.parse_args()
    print(f"{args.episodes} episodes, concurrency {args.concurrency}, {args.latency:g} s per call")
    for mode in ("requests", "episodes", "runner") if args.runner else ("requests", "episodes"):
        if mode == "runner":
            result = measure_runner(args.episodes, args.concurrency, args.latency)
        else:
            result = measure(mode, args.episodes, args.concurrency, args.latency)
        ideal = result["calls"] * args.latency / args.concurrency
        steps = result["calls"] / args.episodes
        waves = math.ceil(args.episodes / args.concurrency) * steps * args.latency
        verdict = "PASS" if result["wall"] <= 1.2 * ideal else "over 1.2x"
        print(
            f"  {mode:<8} concurrency: {result['calls']:.0f} calls in {result['wall']:.2f} s; ideal "
            f"{ideal:.2f} s -> {result['wall'] / ideal:.2f}x ({verdict}); episode-wave floor {waves:.1f} s"
        )


if __name__ == "__main__":
    main()
