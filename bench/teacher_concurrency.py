"""Teacher concurrency: do N episodes against a slow teacher take the time the latency implies?

    python bench/teacher_concurrency.py --episodes 200 --concurrency 64 --latency 1.0

A local server speaking the Anthropic Messages API (tests/teacher_server.py, in its own process)
answers every call after ``--latency`` seconds; its scripted solver needs 3 calls per episode (bash, bash, finish).
Episodes run through the project's pieces for paid teachers: ``AnthropicPolicy`` (official SDK),
``run_pool`` (episodes in flight, ledger, resume) and the shared ``RateLimiter``. Tool calls are
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

from agentic_pipeline.llm.client import ClientSettings  # noqa: E402
from agentic_pipeline.llm.ledger import Ledger  # noqa: E402
from agentic_pipeline.llm.pool import run_pool  # noqa: E402
from agentic_pipeline.llm.ratelimit import RateLimiter  # noqa: E402
from agentic_pipeline.policies.anthropic_policy import AnthropicPolicy  # noqa: E402

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


async def episode(policy: AnthropicPolicy) -> list[dict[str, Any]]:
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
        with tempfile.TemporaryDirectory() as tmp, Ledger(Path(tmp)) as ledger:
            limiter = RateLimiter(max_concurrent=concurrency if mode == "requests" else None)
            settings = ClientSettings(
                base_url=url, api_key="bench", ledger=ledger, limiter=limiter, timeout=60
            )
            policy = AnthropicPolicy("claude-sonnet-5-5", settings)
            jobs = [(f"ep-{i}", lambda: episode(policy)) for i in range(episodes)]
            in_flight = concurrency if mode == "episodes" else episodes
            start = time.perf_counter()
            report = asyncio.run(run_pool(jobs, lambda eid, _: eid, concurrency=in_flight, ledger=ledger))
            wall = time.perf_counter() - start
            calls = ledger.totals().requests
            assert report.finished == episodes and calls == 3 * episodes
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
        with tempfile.TemporaryDirectory() as tmp, Ledger(Path(tmp)) as ledger:
            os.environ["AGENTIC_CACHE_DIR"] = str(Path(tmp) / "cache")
            os.environ.setdefault("ANTHROPIC_API_KEY", "bench-key")
            options = {"base_url": url, "ledger": ledger, "concurrency": concurrency, "timeout": 60}
            run = RunConfig(teacher="anthropic:claude-sonnet-5-5", options=options)
            config = GenerateConfig(episodes, ["devops"], Path(tmp) / "data", episodes, tasks=tasks, run=run)
            start = time.perf_counter()
            states = asyncio.run(generate(config))
            wall = time.perf_counter() - start
            calls = ledger.totals().requests
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
