"""``agentic generate trajectories``: verified tool-use trajectories, resumable, sharded.

agentic generate trajectories --count 200 --category debugging
agentic generate trajectories --count 1000 --category all --workers 4 --out data/
agentic generate trajectories --count 5000 --category coding --shard 0/4     # machine 1 of 4
agentic generate trajectories --count 50 --category debugging --tasks mined.jsonl
agentic generate trajectories --count 200 --category all --split eval --out eval-data/   # held-out tasks

Tasks come from the train split by default (``--split``): the held-out eval sources are never drawn
(``agentic_pipeline.tasks.split``).
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
    "coding, debugging, refactoring, devops, or all (the count is then split evenly over the four; "
    "with --tasks FILE, over the families the file holds)."
)
MORE_TASKS = (
    "More tasks: `agentic tasks mine --repo PATH` (your repository) or `agentic tasks synthesize --teacher ...` "
    "(new projects a teacher writes), then `--tasks FILE`."
)


@generate_app.command("trajectories")
@grouped
def trajectories(
    count: count_option("Kept (verified) trajectories wanted in total."),
    run: RunOptions,
    cluster: ClusterOptions,
    teacher: TeacherOptions,
    category: category_option(CATEGORY_HELP) = "all",
    out: out_option("trajectories/<category>_tasks.jsonl") = Path("data"),
    shard: Shard = "0/1",
    split: TaskSplit = "train",
    max_steps: Annotated[
        int, typer.Option("--max-steps", help="Assistant turns per episode before it is stopped.")
    ] = 30,
    max_seconds: Annotated[
        float, typer.Option("--max-seconds", help="Wall-clock seconds per episode.")
    ] = 900.0,
    max_tokens: Annotated[
        int | None, typer.Option("--max-tokens", help="Tokens (input + output) per episode; none by default.")
    ] = None,
    tasks_file: Annotated[
        Path | None,
        typer.Option(
            "--tasks", help="JSONL of tasks (from `agentic tasks mine`) instead of the built-in sources."
        ),
    ] = None,
    max_episodes: Annotated[
        int | None,
        typer.Option(
            "--max-episodes",
            min=1,
            help="Episodes per category at most, kept or rejected (a bound on time and teacher cost); "
            "default: until --count is kept or no task is left.",
        ),
    ] = None,
) -> None:
    """Run the agent loop on verified tasks and write the trajectories whose verifier passed."""
    from agentic_pipeline.agent import RunConfig
    from agentic_pipeline.generate.trajectories import GenerateConfig, generate, parse_shard
    from agentic_pipeline.records import TRAJECTORY_CATEGORIES
    from agentic_pipeline.tasks.catalog import load_task_file

    categories = list(TRAJECTORY_CATEGORIES) if category == "all" else [category]
    if any(c not in TRAJECTORY_CATEGORIES for c in categories):
        fail(f"--category {category!r}: expected {CATEGORY_HELP}")
    try:
        shard_ij = parse_shard(shard)
        tasks = load_task_file(tasks_file) if tasks_file else None
    except (ValueError, OSError) as exc:
        fail(str(exc))
    if tasks is not None:
        categories = _file_categories(tasks, tasks_file, category, categories)
        _note_held_out(tasks, split, tasks_file)
    with generation(run, teacher, out, count=count) as (opened, backend):
        loop = RunConfig(
            max_steps=max_steps,
            max_seconds=max_seconds,
            max_tokens=max_tokens,
            backend=backend,
            seed=run.seed,
        )
        config = GenerateConfig(
            count=count, categories=categories, out=out, workers=run.workers, seed=run.seed,
            shard=shard_ij, run=loop, tasks=tasks, split=split, max_episodes=max_episodes,
        )  # fmt: skip
        with (
            executor_for(cluster, backend) as config.executor,
            progress_bars(opened, label_width=12) as progress,
        ):
            results = asyncio.run(generate(config, opened, progress))

    def short(c) -> str:
        where = "" if split == "all" else f" in the {split} split"
        more = (
            f"{tasks_file} holds too few of them: mine more (`agentic tasks mine ... --max N`) or ask for fewer."
            if tasks_file
            else MORE_TASKS
        )
        return (
            f"{c.name}: only {c.kept} distinct verified tasks available{where} (asked for {c.target}); stopped. "
            + more
        )

    finish(results, opened, short)


def _file_categories(tasks: list, path: Path, asked: str, categories: list[str]) -> list[str]:
    """The categories to run on a --tasks file: with ``all``, the families it holds (said aloud); an
    asked family it does not hold is an error naming what it does hold."""
    held = {c: sum(t.family == c for t in tasks) for c in categories}
    held = {c: n for c, n in held.items() if n}
    listing = ", ".join(f"{c} ({n})" for c, n in held.items()) or "no tasks"
    if not held:
        fail(f"{path} holds {listing} of the families asked ({', '.join(categories)})")
    if asked == "all":
        console().print(f"{path} holds {listing}: generating those.", highlight=False)
    return list(held)


def _note_held_out(tasks: list, split: str, path: Path | None) -> None:
    """Say how many of a --tasks file's tasks the split leaves out (a mined repository is one source:
    all of its tasks are on one side)."""
    from agentic_pipeline.tasks.split import select

    kept = select(tasks, split)
    if len(kept) < len(tasks):
        other = sorted({t.source for t in tasks} - {t.source for t in kept})
        names = ", ".join(other[:5]) + (f" and {len(other) - 5} more" if len(other) > 5 else "")
        console().print(
            f"[yellow]{len(tasks) - len(kept)} of the {len(tasks)} tasks in {path} are not in the {split} split "
            f"(source {names}) and are not used; --split all uses every task.[/yellow]",
            highlight=False,
        )
