"""``agentic generate reasoning``: step-by-step reasoning records.

agentic generate reasoning --count 300 --category problem_solving
agentic generate reasoning --count 500 --category all --teacher anthropic:claude-sonnet-4-5 --batch
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from agentic_pipeline.commands import generate_app
from agentic_pipeline.commands.options import (
    ClusterOptions,
    ExitCode,
    RunOptions,
    Shard,
    TaskSplit,
    TeacherOptions,
    category_option,
    console,
    count_option,
    executor_for,
    fail,
    finish,
    generation,
    grouped,
    out_option,
    progress_bars,
)

CATEGORY_HELP = (
    "problem_solving, architecture_decisions, tradeoff_analysis, or all. Offline (oracle) only problem_solving "
    "is produced; the other two need --teacher."
)


@generate_app.command("reasoning")
@grouped
def reasoning(
    count: count_option("Kept records wanted (split over categories)."),
    run: RunOptions,
    cluster: ClusterOptions,
    teacher: TeacherOptions,
    category: category_option(CATEGORY_HELP) = "problem_solving",
    out: out_option("reasoning/<category>.jsonl") = Path("data"),
    shard: Shard = "0/1",
    split: TaskSplit = "train",
    batch: Annotated[
        bool,
        typer.Option(
            "--batch",
            help="Anthropic teachers: use Message Batches (half price, results within 24 h) for "
            "architecture_decisions and tradeoff_analysis; problem_solving requests stay live (each follows a "
            "sandbox run).",
        ),
    ] = False,
    poll_seconds: Annotated[
        float, typer.Option("--poll-seconds", help="--batch: seconds between status polls.")
    ] = 30.0,
) -> None:
    """Step-by-step reasoning records: problem_solving grounded in real test output (offline), design
    reasoning from a teacher."""
    from agentic_pipeline.generate.reasoning import REQUEST_SHAPE, ReasoningConfig, generate_reasoning
    from agentic_pipeline.generate.trajectories import parse_shard
    from agentic_pipeline.records import REASONING_CATEGORIES

    categories = list(REASONING_CATEGORIES) if category == "all" else [category]
    if any(c not in REASONING_CATEGORIES for c in categories):
        fail(f"--category {category!r}: expected {', '.join(REASONING_CATEGORIES)} or all")
    try:
        shard_ij = parse_shard(shard)
    except ValueError as exc:
        fail(str(exc))
    if batch and not teacher.teacher.startswith("anthropic:"):
        fail("--batch needs --teacher anthropic:MODEL (Message Batches is Anthropic's API)")
    with generation(run, teacher, out, count=count, shape=REQUEST_SHAPE, unit="requests") as (
        opened,
        backend,
    ):
        config = ReasoningConfig(
            count=count, categories=categories, out=out, workers=run.workers, seed=run.seed, shard=shard_ij,
            backend=backend, batch=batch, poll_seconds=poll_seconds, split=split,
        )  # fmt: skip
        with (
            executor_for(cluster, backend) as config.executor,
            progress_bars(opened, label_width=22) as progress,
        ):
            results = asyncio.run(generate_reasoning(config, opened, progress))
    for refused in (r for r in results if r.refused):
        console().print(f"[yellow]{refused.refused}[/yellow]")
    if all(r.refused for r in results):
        fail("nothing to generate offline for this category: pass --teacher anthropic:MODEL or openai:MODEL, "
             "or use --category problem_solving")  # fmt: skip
    made = [r for r in results if not r.refused]
    finish(
        made,
        opened,
        lambda c: f"{c.name}: only {c.kept} of {c.target} could be made.",
        invalid="candidates unusable",
    )
    if not any(r.kept for r in made):
        raise typer.Exit(int(ExitCode.SHORT))
