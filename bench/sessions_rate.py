"""Sessions per minute and reasoning records per minute, offline (oracle teacher, real sandbox).

    python bench/sessions_rate.py --sessions 4 --reasoning 6 --workers 2

Runs `generate_sessions` and `generate_reasoning(problem_solving)` into a temporary data directory
(task caches warm after the first run) and prints each rate, plus seconds per request for sessions
so it compares with single-task trajectories (bench/trajectories_per_minute.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

try:
    import agentic_pipeline  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from agentic_pipeline.generate.conversations import SessionConfig, generate_sessions
from agentic_pipeline.generate.reasoning import ReasoningConfig, generate_reasoning
from agentic_pipeline.layout import data_file


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=4, help="kept sessions to generate")
    parser.add_argument("--reasoning", type=int, default=6, help="problem_solving records to generate")
    parser.add_argument("--workers", type=int, default=2, help="concurrent sessions / items")
    parser.add_argument("--seed", type=int, default=7, help="seed (change it to measure fresh tasks)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t0 = time.monotonic()
        state = asyncio.run(
            generate_sessions(
                SessionConfig(count=args.sessions, out=out, workers=args.workers, seed=args.seed)
            )
        )
        s_sec = time.monotonic() - t0
        records = [
            json.loads(x) for x in data_file(out, "conversation", "coding_sessions").read_text().splitlines()
        ]
        requests = sum(len(r["metadata"]["requests"]) for r in records)
        t1 = time.monotonic()
        (rstate,) = asyncio.run(
            generate_reasoning(
                ReasoningConfig(
                    count=args.reasoning,
                    categories=["problem_solving"],
                    out=out,
                    workers=args.workers,
                    seed=args.seed,
                )
            )
        )
        r_sec = time.monotonic() - t1
    print(
        f"sessions: {state.kept} kept ({state.rejected} rejected), {requests} requests in {s_sec:.1f} s -> "
        f"{state.kept / s_sec * 60:.1f} sessions/min, {s_sec / max(1, requests):.1f} s per verified request"
    )
    print(
        f"reasoning problem_solving: {rstate.kept} kept ({rstate.rejected} rejected, {rstate.invalid} unusable) "
        f"in {r_sec:.1f} s -> {rstate.kept / r_sec * 60:.1f} records/min"
    )


if __name__ == "__main__":
    main()
