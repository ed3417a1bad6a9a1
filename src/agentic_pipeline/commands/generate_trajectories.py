"""``agentic generate trajectories``: verified tool-use trajectories, resumable, sharded.

agentic generate trajectories --count 200 --category debugging
agentic generate trajectories --count 1000 --category all --workers 4 --out data/
agentic generate trajectories --count 5000 --category coding --shard 0/4     # machine 1 of 4
agentic generate trajectories --count 50 --category debugging --tasks mined.jsonl
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import typer

from agentic_pipeline.commands import generate_app
from agentic_pipeline.commands.run_options import (
    BaseUrl,
    Concurrency,
    Itpm,
    MaxCostUsd,
    Otpm,
    RequestTimeout,
    Rpm,
    Teacher,
    Thinking,
    UnsafeSubprocess,
    budget_exit,
    sandbox_backend,
    teacher_run,
)

CATEGORY_HELP = (
    "coding, debugging, refactoring, devops, or all (the count is then split evenly over the four)."
)


@generate_app.command("trajectories")
def trajectories(
    count: int = typer.Option(
        ..., "--count", "-n", min=1, help="Kept (verified) trajectories wanted in total."
    ),
    category: str = typer.Option("all", "--category", "-c", help=CATEGORY_HELP),
    out: Path = typer.Option(
        Path("data"), "--out", help="Data directory: writes trajectories/<category>_tasks.jsonl."
    ),
    workers: int = typer.Option(2, "--workers", "-w", min=1, help="Episodes run at once (asyncio)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the task order and of the oracle's wording."),
    shard: str = typer.Option(
        "0/1", "--shard", help="i/N: this machine takes the i-th of N disjoint task shares."
    ),
    teacher: Teacher = "oracle",
    base_url: BaseUrl = None,
    max_steps: int = typer.Option(
        30, "--max-steps", help="Assistant turns per episode before it is stopped."
    ),
    max_seconds: float = typer.Option(900.0, "--max-seconds", help="Wall-clock seconds per episode."),
    max_tokens: int = typer.Option(
        None, "--max-tokens", help="Tokens (input + output) per episode; none by default."
    ),
    tasks_file: Path = typer.Option(
        None, "--tasks", help="JSONL of tasks (from `agentic tasks mine`) instead of the built-in sources."
    ),
    unsafe_subprocess: UnsafeSubprocess = False,
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Log warnings (skipped sources, failed setups)."
    ),
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        help="Print the expected model calls, tokens and dollars for --count; send nothing.",
    ),
    max_cost_usd: MaxCostUsd = None,
    concurrency: Concurrency = None,
    rpm: Rpm = None,
    itpm: Itpm = None,
    otpm: Otpm = None,
    thinking: Thinking = None,
    request_timeout: RequestTimeout = None,
) -> None:
    """Run the agent loop on verified tasks and write the trajectories whose verifier passed."""
    from rich.console import Console

    from agentic_pipeline.agent import RunConfig
    from agentic_pipeline.generate.trajectories import GenerateConfig, parse_shard
    from agentic_pipeline.records import TRAJECTORY_CATEGORIES
    from agentic_pipeline.tasks.catalog import load_task_file

    console = Console(stderr=True)
    logging.basicConfig(
        level=logging.WARNING if verbose else logging.ERROR, format="%(levelname)s %(message)s"
    )
    categories = list(TRAJECTORY_CATEGORIES) if category == "all" else [category]
    if any(c not in TRAJECTORY_CATEGORIES for c in categories):
        console.print(f"[red]error[/red]: --category {category!r}: expected {CATEGORY_HELP}")
        raise typer.Exit(2)
    try:
        shard_ij = parse_shard(shard)
        tasks = load_task_file(tasks_file) if tasks_file else None
    except (ValueError, OSError) as exc:
        console.print(f"[red]error[/red]: {exc}")
        raise typer.Exit(2) from None
    from agentic_pipeline.llm.runtime import dry_run_lines

    if dry_run:
        try:
            typer.echo("\n".join(dry_run_lines(teacher, count)))
        except ValueError as exc:
            console.print(f"[red]error[/red]: {exc}")
            raise typer.Exit(2) from None
        return
    backend = sandbox_backend(console, unsafe_subprocess)
    teaching = teacher_run(
        console, teacher, out, base_url, max_cost_usd, concurrency, rpm, itpm, otpm, thinking, request_timeout
    )
    options = {"base_url": base_url} if base_url else {}
    options.update(teaching.options)
    run = RunConfig(
        teacher=teacher,
        max_steps=max_steps,
        max_seconds=max_seconds,
        max_tokens=max_tokens,
        backend=backend,
        seed=seed,
        options=options,
    )
    config = GenerateConfig(count, categories, out, workers, seed, shard_ij, run, tasks, teacher_run=teaching)
    try:
        states = asyncio.run(_run_with_progress(config, console))
    except ValueError as exc:
        console.print(f"[red]error[/red]: {exc}")
        raise typer.Exit(2) from None
    finally:
        if teaching.ledger is not None:
            console.print(teaching.summary())
        teaching.close()
    short = [s for s in states if s.shortfall]
    for s in states:
        console.print(
            f"{s.category}: {s.kept}/{s.target} kept ({s.new_kept} new), {s.rejected} rejected, "
            f"{s.invalid} candidates not valid tasks"
            + (f", {s.errors} crashed (see the log)" if s.errors else "")
        )
    for s in short:
        console.print(
            f"[yellow]{s.category}: only {s.kept} distinct verified tasks available (asked for {s.target}); "
            "stopped. More tasks: `agentic tasks mine --repo PATH` (your repository) or `agentic tasks "
            "synthesize --teacher ...` (new projects a teacher writes), then `--tasks FILE`.[/yellow]"
        )
    if short:
        raise typer.Exit(3)
    budget_exit(console, teaching)


async def _run_with_progress(config, console):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from agentic_pipeline.generate.trajectories import generate, split_count

    targets = split_count(config.count, config.categories)
    columns = (
        TextColumn("{task.description:<12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("failed {task.fields[failed]}"),
        TextColumn("{task.fields[rate]:.1f}/min"),
        TextColumn("${task.fields[usd]:.2f}"),  # the ledger's running total (paid teachers)
        TimeRemainingColumn(),
    )
    started = time.monotonic()
    with Progress(*columns, console=console, transient=False) as bar:
        ids = {c: bar.add_task(c, total=t, failed=0, rate=0.0, usd=0.0) for c, t in targets.items()}
        teacher_run = config.teacher_run

        def progress(state) -> None:
            minutes = max(1e-6, (time.monotonic() - started) / 60)
            bar.update(
                ids[state.category],
                completed=state.kept,
                failed=state.rejected,
                rate=state.new_kept / minutes,
                usd=teacher_run.total_usd() if teacher_run is not None else 0.0,
            )

        return await generate(config, progress)
