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
    teacher: str = typer.Option(
        "oracle", "--teacher", help="oracle (offline), anthropic:MODEL or openai:MODEL."
    ),
    base_url: str = typer.Option(
        None, "--base-url", help="Endpoint of an OpenAI-compatible or Anthropic server."
    ),
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
    unsafe_subprocess: bool = typer.Option(
        False,
        "--unsafe-subprocess",
        help="Run commands WITHOUT isolation (machines without user namespaces only).",
    ),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Log warnings (skipped sources, failed setups)."
    ),
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        help="Print the expected model calls, tokens and dollars for --count; send nothing.",
    ),
    max_cost_usd: float = typer.Option(
        None,
        "--max-cost-usd",
        min=0.0,
        help="Paid teachers: start no new episode once the run's ledger reaches this many dollars; "
        "episodes in flight finish and are written (exit code 4).",
    ),
    concurrency: int = typer.Option(
        None,
        "--concurrency",
        min=1,
        help="Paid teachers: model requests in flight at once (default: up to --workers). Give --workers "
        "more than this so tools run while requests wait.",
    ),
    rpm: float = typer.Option(None, "--rpm", help="Paid teachers: client-side limit, requests per minute."),
    itpm: float = typer.Option(
        None, "--itpm", help="Paid teachers: client-side limit, input tokens per minute."
    ),
    otpm: float = typer.Option(
        None, "--otpm", help="Paid teachers: client-side limit, output tokens per minute."
    ),
    thinking: str = typer.Option(
        None,
        "--thinking",
        help="Anthropic: 'adaptive', or a token budget for extended thinking (older models).",
    ),
    request_timeout: float = typer.Option(
        None,
        "--request-timeout",
        help="Paid teachers: seconds before a model request is retried (SDK default 600).",
    ),
) -> None:
    """Run the agent loop on verified tasks and write the trajectories whose verifier passed."""
    from rich.console import Console

    from agentic_pipeline.agent import RunConfig
    from agentic_pipeline.generate.trajectories import GenerateConfig, parse_shard
    from agentic_pipeline.records import TRAJECTORY_CATEGORIES
    from agentic_pipeline.sandbox import SandboxUnavailable, check_bwrap
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
    from agentic_pipeline.llm.runtime import dry_run_lines, parse_thinking, prepare_teacher

    if dry_run:
        try:
            typer.echo("\n".join(dry_run_lines(teacher, count)))
        except ValueError as exc:
            console.print(f"[red]error[/red]: {exc}")
            raise typer.Exit(2) from None
        return
    backend = "subprocess" if unsafe_subprocess else "bwrap"
    if backend == "bwrap":
        try:
            check_bwrap()
        except SandboxUnavailable as exc:
            console.print(f"[red]error[/red]: {exc}")
            raise typer.Exit(2) from None
    try:
        limits = {"concurrency": concurrency, "rpm": rpm, "itpm": itpm, "otpm": otpm}
        teacher_run = prepare_teacher(
            teacher,
            out,
            base_url,
            max_cost_usd,
            **limits,
            thinking=parse_thinking(thinking),
            timeout=request_timeout,
        )
    except ValueError as exc:
        console.print(f"[red]error[/red]: {exc}")
        raise typer.Exit(2) from None
    options = {"base_url": base_url} if base_url else {}
    options.update(teacher_run.options)
    run = RunConfig(
        teacher=teacher,
        max_steps=max_steps,
        max_seconds=max_seconds,
        max_tokens=max_tokens,
        backend=backend,
        seed=seed,
        options=options,
    )
    config = GenerateConfig(
        count, categories, out, workers, seed, shard_ij, run, tasks, teacher_run=teacher_run
    )
    try:
        states = asyncio.run(_run_with_progress(config, console))
    except ValueError as exc:
        console.print(f"[red]error[/red]: {exc}")
        raise typer.Exit(2) from None
    finally:
        if teacher_run.ledger is not None:
            console.print(teacher_run.summary())
        teacher_run.close()
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
            "stopped. Add sources (`agentic tasks mine`) or shards to get more.[/yellow]"
        )
    if short:
        raise typer.Exit(3)
    if teacher_run.budget_reached:
        console.print(
            f"[yellow]stopped: --max-cost-usd reached (${teacher_run.total_usd():.4f} spent); "
            "re-run with a higher budget to continue where this run stopped.[/yellow]"
        )
        raise typer.Exit(4)


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
