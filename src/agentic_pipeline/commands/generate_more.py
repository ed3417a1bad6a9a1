"""``agentic generate conversations`` and ``agentic generate reasoning``.

agentic generate conversations --count 100 --workers 4 --turns 2-4
agentic generate reasoning --count 300 --category problem_solving
agentic generate reasoning --count 500 --category all --teacher anthropic:claude-sonnet-4-5 --batch
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


def _console():
    from rich.console import Console

    return Console(stderr=True)


def _fail(console, message: str, code: int = 2) -> None:
    console.print(f"[red]error[/red]: {message}")
    raise typer.Exit(code)


def _progress(console, total: int, label: str):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn(f"{label:<22}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("rejected {task.fields[rejected]}"),
        TextColumn("{task.fields[rate]:.1f}/min"),
        TimeRemainingColumn(),
        console=console,
    )


@generate_app.command("conversations")
def conversations(
    count: int = typer.Option(..., "--count", "-n", min=1, help="Kept (fully verified) sessions wanted."),
    out: Path = typer.Option(
        Path("data"), "--out", help="Data directory: writes conversations/coding_sessions.jsonl."
    ),
    workers: int = typer.Option(2, "--workers", "-w", min=1, help="Sessions run at once (asyncio)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the session order, follow-ups and wording."),
    shard: str = typer.Option(
        "0/1", "--shard", help="i/N: this machine takes the i-th of N disjoint shares."
    ),
    teacher: Teacher = "oracle",
    base_url: BaseUrl = None,
    turns: str = typer.Option("2-4", "--turns", help="User requests per session: LOW-HIGH (2-4) or N."),
    max_steps: int = typer.Option(
        30, "--max-steps", help="Assistant turns per request before it is stopped."
    ),
    max_cost_usd: MaxCostUsd = None,
    concurrency: Concurrency = None,
    rpm: Rpm = None,
    itpm: Itpm = None,
    otpm: Otpm = None,
    thinking: Thinking = None,
    request_timeout: RequestTimeout = None,
    unsafe_subprocess: UnsafeSubprocess = False,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log warnings (skipped sources, failures)."),
) -> None:
    """Multi-turn coding sessions: 2-4 requests in one workspace, each verified; resumable, sharded."""
    from agentic_pipeline.agent import RunConfig
    from agentic_pipeline.generate.conversations import (
        SESSION_SYSTEM_PROMPT,
        SessionConfig,
        generate_sessions,
        parse_turns,
    )
    from agentic_pipeline.generate.trajectories import parse_shard

    console = _console()
    logging.basicConfig(
        level=logging.WARNING if verbose else logging.ERROR, format="%(levelname)s %(message)s"
    )
    try:
        shard_ij, turns_lh = parse_shard(shard), parse_turns(turns)
    except ValueError as exc:
        _fail(console, str(exc))
    backend = sandbox_backend(console, unsafe_subprocess)
    teaching = teacher_run(
        console, teacher, out, base_url, max_cost_usd, concurrency, rpm, itpm, otpm, thinking, request_timeout
    )
    options = {"base_url": base_url} if base_url else {}
    options.update(teaching.options)
    run = RunConfig(
        teacher=teacher,
        max_steps=max_steps,
        backend=backend,
        seed=seed,
        system_prompt=SESSION_SYSTEM_PROMPT,
        options=options,
    )
    config = SessionConfig(count, out, workers, seed, shard_ij, turns_lh, run, teacher_run=teaching)
    started = time.monotonic()

    async def main():
        with _progress(console, count, "coding_sessions") as bar:
            tid = bar.add_task("sessions", total=count, rejected=0, rate=0.0)

            def progress(state) -> None:
                minutes = max(1e-6, (time.monotonic() - started) / 60)
                bar.update(tid, completed=state.kept, rejected=state.rejected, rate=state.new_kept / minutes)

            return await generate_sessions(config, progress)

    try:
        state = asyncio.run(main())
    except ValueError as exc:
        _fail(console, str(exc))
    finally:
        if teaching.ledger is not None:
            console.print(teaching.summary())
        teaching.close()
    console.print(
        f"coding_sessions: {state.kept}/{count} kept ({state.new_kept} new), {state.rejected} rejected, "
        f"{state.invalid} first tasks not valid"
        + (f", {state.errors} crashed (see the log)" if state.errors else "")
    )
    if state.exhausted and not state.budget_stopped:
        console.print(
            f"[yellow]only {state.kept} sessions could be built from the available tasks (asked for {count}).[/yellow]"
        )
        raise typer.Exit(3)
    budget_exit(console, teaching)


@generate_app.command("reasoning")
def reasoning(
    count: int = typer.Option(
        ..., "--count", "-n", min=1, help="Kept records wanted (split over categories)."
    ),
    category: str = typer.Option(
        "problem_solving",
        "--category",
        "-c",
        help="problem_solving, architecture_decisions, tradeoff_analysis, or all. Offline (oracle) only "
        "problem_solving is produced; the other two need --teacher.",
    ),
    out: Path = typer.Option(
        Path("data"), "--out", help="Data directory: writes reasoning/<category>.jsonl."
    ),
    workers: int = typer.Option(2, "--workers", "-w", min=1, help="Items processed at once."),
    seed: int = typer.Option(0, "--seed", help="Seed of the item order and wording."),
    shard: str = typer.Option(
        "0/1", "--shard", help="i/N: this machine takes the i-th of N disjoint shares."
    ),
    teacher: Teacher = "oracle",
    base_url: BaseUrl = None,
    batch: bool = typer.Option(
        False,
        "--batch",
        help="Anthropic teachers: use Message Batches (half price, results within 24 h) for "
        "architecture_decisions and tradeoff_analysis; problem_solving requests stay live (each follows a "
        "sandbox run).",
    ),
    poll_seconds: float = typer.Option(30.0, "--poll-seconds", help="--batch: seconds between status polls."),
    max_cost_usd: MaxCostUsd = None,
    concurrency: Concurrency = None,
    rpm: Rpm = None,
    itpm: Itpm = None,
    otpm: Otpm = None,
    thinking: Thinking = None,
    request_timeout: RequestTimeout = None,
    unsafe_subprocess: UnsafeSubprocess = False,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log warnings."),
) -> None:
    """Step-by-step reasoning records: problem_solving grounded in real test output (offline), design
    reasoning from a teacher."""
    from agentic_pipeline.generate.reasoning import ReasoningConfig, generate_reasoning
    from agentic_pipeline.generate.trajectories import parse_shard
    from agentic_pipeline.records import REASONING_CATEGORIES

    console = _console()
    logging.basicConfig(
        level=logging.WARNING if verbose else logging.ERROR, format="%(levelname)s %(message)s"
    )
    categories = list(REASONING_CATEGORIES) if category == "all" else [category]
    if any(c not in REASONING_CATEGORIES for c in categories):
        _fail(console, f"--category {category!r}: expected {', '.join(REASONING_CATEGORIES)} or all")
    try:
        shard_ij = parse_shard(shard)
    except ValueError as exc:
        _fail(console, str(exc))
    if batch and not teacher.startswith("anthropic:"):
        _fail(console, "--batch needs --teacher anthropic:MODEL (Message Batches is Anthropic's API)")
    teaching = teacher_run(
        console, teacher, out, base_url, max_cost_usd, concurrency, rpm, itpm, otpm, thinking, request_timeout
    )
    config = ReasoningConfig(
        count,
        categories,
        out,
        workers,
        seed,
        shard_ij,
        teacher,
        sandbox_backend(console, unsafe_subprocess),
        batch,
        poll_seconds,
        dict(teaching.options),
        base_url,
        teaching,
    )
    started = time.monotonic()

    async def main():
        with _progress(console, count, "reasoning") as bar:
            ids: dict[str, int] = {}

            def progress(state) -> None:
                if state.category not in ids:
                    ids[state.category] = bar.add_task(
                        state.category, total=state.target, rejected=0, rate=0.0
                    )
                minutes = max(1e-6, (time.monotonic() - started) / 60)
                bar.update(
                    ids[state.category],
                    completed=state.kept,
                    rejected=state.rejected,
                    rate=state.new_kept / minutes,
                )

            return await generate_reasoning(config, progress)

    try:
        states = asyncio.run(main())
    except ValueError as exc:
        _fail(console, str(exc))
    finally:
        if teaching.ledger is not None:
            console.print(teaching.summary())
        teaching.close()
    produced = False
    for s in states:
        if s.refused:
            console.print(f"[yellow]{s.refused}[/yellow]")
            continue
        produced = produced or s.kept > 0
        console.print(
            f"{s.category}: {s.kept}/{s.target} kept ({s.new_kept} new), {s.rejected} rejected, "
            f"{s.invalid} candidates unusable" + (f", {s.errors} failed (see the log)" if s.errors else "")
        )
    if all(s.refused for s in states):
        _fail(console, "nothing to generate offline for this category: pass --teacher anthropic:MODEL or "
              "openai:MODEL, or use --category problem_solving", 2)  # fmt: skip
    budget_exit(console, teaching)
    if not produced:
        raise typer.Exit(3)
