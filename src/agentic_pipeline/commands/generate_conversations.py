"""``agentic generate conversations``: multi-turn coding sessions, each request verified.

agentic generate conversations --count 100 --workers 4 --turns 2-4
agentic generate conversations --count 500 --teacher anthropic:claude-sonnet-4-5 --max-cost-usd 50
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from agentic_pipeline.commands import generate_app
from agentic_pipeline.commands.options import (
    ClusterOptions,
    RunOptions,
    Shard,
    TaskSplit,
    TeacherOptions,
    count_option,
    executor_for,
    fail,
    finish,
    generation,
    grouped,
    out_option,
    progress_bars,
)


@generate_app.command("conversations")
@grouped
def conversations(
    count: count_option("Kept (fully verified) sessions wanted."),
    run: RunOptions,
    cluster: ClusterOptions,
    teacher: TeacherOptions,
    out: out_option("conversations/coding_sessions.jsonl") = Path("data"),
    shard: Shard = "0/1",
    split: TaskSplit = "train",
    turns: Annotated[
        str, typer.Option("--turns", help="User requests per session: LOW-HIGH (2-4) or N.")
    ] = "2-4",
    max_steps: Annotated[
        int, typer.Option("--max-steps", help="Assistant turns per request before it is stopped.")
    ] = 30,
) -> None:
    """Multi-turn coding sessions: 2-4 requests in one workspace, each verified; resumable, sharded."""
    from agentic_pipeline.agent import RunConfig
    from agentic_pipeline.generate.conversations import (
        SESSION_SYSTEM_PROMPT,
        SessionConfig,
        generate_sessions,
        parse_turns,
        session_shape,
    )
    from agentic_pipeline.generate.trajectories import parse_shard

    try:
        shard_ij, turns_lh = parse_shard(shard), parse_turns(turns)
    except ValueError as exc:
        fail(str(exc))
    with generation(run, teacher, out, count=count, shape=session_shape(turns_lh), unit="sessions") as (
        opened,
        backend,
    ):
        loop = RunConfig(
            max_steps=max_steps, backend=backend, seed=run.seed, system_prompt=SESSION_SYSTEM_PROMPT
        )
        config = SessionConfig(
            count=count, out=out, workers=run.workers, seed=run.seed, shard=shard_ij, turns=turns_lh, run=loop,
            split=split,
        )  # fmt: skip
        with (
            executor_for(cluster, backend) as config.executor,
            progress_bars(opened, label_width=16) as progress,
        ):
            counts = asyncio.run(generate_sessions(config, opened, progress))

    def short(c) -> str:
        return f"only {c.kept} sessions could be built from the available tasks (asked for {c.target})."

    finish([counts], opened, short, invalid="first tasks not valid")
