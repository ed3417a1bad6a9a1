"""``agentic tasks synthesize``: new verified coding/debugging tasks from projects a teacher LLM writes.

agentic tasks synthesize --teacher anthropic:claude-sonnet-4-5 --count 500 --out synth_tasks.jsonl
agentic tasks synthesize --teacher openai:Qwen/Qwen2.5-72B-Instruct --base-url http://localhost:8000/v1 \
    --count 1000 --workers 8 --max-cost-usd 50 --out synth_tasks.jsonl
agentic generate trajectories --tasks synth_tasks.jsonl --category coding --count 10000
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import typer

from agentic_pipeline.commands import tasks_app
from agentic_pipeline.commands.run_options import (
    BaseUrl,
    Concurrency,
    RequestTimeout,
    UnsafeSubprocess,
    budget_exit,
    sandbox_backend,
)


def _fail(console, message: str, code: int = 2) -> None:
    console.print(f"[red]error[/red]: {message}")
    raise typer.Exit(code)


@tasks_app.command("synthesize")
def synthesize_tasks(
    teacher: str = typer.Option(
        None,
        "--teacher",
        help="anthropic:MODEL or openai:MODEL: the LLM that writes the projects (required).",
    ),
    base_url: BaseUrl = None,
    count: int = typer.Option(
        ..., "--count", "-n", min=1, help="Accepted projects wanted in --out (earlier runs' included)."
    ),
    out: Path = typer.Option(
        Path("synth_tasks.jsonl"),
        "--out",
        help="Task JSONL for `agentic generate trajectories --tasks`; the run folder <stem>.synth/ beside it "
        "keeps the project log, rejected replies and the cost ledger.",
    ),
    families: str = typer.Option(
        "coding,debugging", "--families", help="Comma-separated task families to derive: coding, debugging."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the topic order (topic i is the same for a seed)."),
    workers: int = typer.Option(2, "--workers", "-w", min=1, help="Projects requested and checked at once."),
    budget: float = typer.Option(
        None,
        "--max-cost-usd",
        "--budget",
        min=0.0,
        help="Start no new project once the ledger reaches this many dollars (needs a price for the model "
        "in configs/prices.yaml); projects in flight finish (exit code 4).",
    ),
    per_project: int = typer.Option(
        10, "--per-project", min=1, help="Valid tasks kept per family from each project."
    ),
    min_tests: int = typer.Option(8, "--min-tests", min=1, help="A project needs at least this many tests."),
    max_topics: int = typer.Option(
        None,
        "--max-topics",
        min=1,
        help="Topics tried in this run before giving up (default 3 x --count + 5).",
    ),
    max_tokens: int = typer.Option(12_000, "--max-tokens", min=1024, help="Output tokens per teacher reply."),
    concurrency: Concurrency = None,
    request_timeout: RequestTimeout = None,
    unsafe_subprocess: UnsafeSubprocess = False,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each rejection and failed request."),
) -> None:
    """New coding and debugging tasks from small projects a teacher LLM writes, verified in the sandbox.

    For each topic the teacher writes a pure-Python library with pytest tests; a project is kept only if
    its files are at safe paths, import only the standard library and its tests pass in the sandbox (a
    failed reply is sent back once with the error). Tasks derived from it are kept only if their verifier
    fails at the start. Resumable: re-run with the same --out to continue to --count."""
    from rich.console import Console

    from agentic_pipeline.tasks.synthesize import (
        SYNTH_FAMILIES,
        Acceptance,
        SynthConfig,
        state_dir,
        teacher_needed_message,
    )

    console = Console(stderr=True)
    logging.basicConfig(level=logging.INFO if verbose else logging.ERROR, format="%(levelname)s %(message)s")
    if not teacher or teacher.partition(":")[0] not in ("anthropic", "openai"):
        _fail(console, teacher_needed_message())
    fams = tuple(f.strip() for f in families.split(",") if f.strip())
    bad = [f for f in fams if f not in SYNTH_FAMILIES]
    if bad or not fams:
        _fail(console, f"--families {families!r}: expected a comma-separated subset of coding,debugging")
    backend = sandbox_backend(console, unsafe_subprocess)
    run_dir = state_dir(out)
    from agentic_pipeline.llm.runtime import prepare_teacher

    try:
        teaching = prepare_teacher(
            teacher, run_dir, base_url, budget, concurrency=concurrency, timeout=request_timeout
        )
    except ValueError as exc:
        _fail(console, f"task synthesis needs a reachable teacher LLM: {exc}")
    config = SynthConfig(
        count=count,
        out=out,
        teacher=teacher,
        base_url=base_url,
        teacher_options=dict(teaching.options),
        teacher_run=teaching,
        families=fams,
        seed=seed,
        workers=workers,
        per_family=per_project,
        max_topics=max_topics,
        limits=Acceptance(min_tests=min_tests),
        max_tokens=max_tokens,
        backend=backend,
    )
    try:
        state = asyncio.run(_run_with_progress(config, console, teaching))
    except (ValueError, OSError) as exc:
        _fail(console, str(exc))
    finally:
        cost = teaching.summary() if teaching.ledger is not None else ""
        teaching.close()
    _summary(console, state, fams, out, run_dir, cost)
    if state.aborted:
        _fail(console, f"stopped after repeated failed teacher requests; last: {state.last_error}", 1)
    budget_exit(console, teaching)
    if state.accepted < count:
        console.print(
            f"[yellow]only {state.accepted} of {count} projects accepted after {state.tried} topics this run; "
            "re-run (later topics are tried next) or raise --max-topics.[/yellow]"
        )
        raise typer.Exit(3)


async def _run_with_progress(config, console, teaching):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from agentic_pipeline.tasks.synthesize import synthesize

    columns = (
        TextColumn("projects"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("rejected {task.fields[rejected]}  tasks {task.fields[tasks]}  ${task.fields[usd]:.4f}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as bar:
        job = bar.add_task("synthesize", total=config.count, rejected=0, tasks=0, usd=0.0)

        def progress(state) -> None:
            bar.update(
                job,
                completed=min(state.accepted, config.count),
                rejected=state.rejected,
                tasks=sum(state.tasks.values()),
                usd=teaching.total_usd(),
            )

        return await synthesize(config, progress)


def _summary(console, state, fams, out: Path, run_dir: Path, cost: str) -> None:
    reasons = ", ".join(f"{stage} {n}" for stage, n in sorted(state.reasons.items()))
    lines = [
        f"projects accepted: {state.accepted} ({state.new_accepted} this run) of {state.target}",
        f"projects rejected this run: {state.rejected}" + (f" ({reasons})" if reasons else ""),
    ]
    if state.errors:
        lines.append(f"failed requests: {state.errors} (their topics are tried again on the next run)")
    lines += [f"{fam} tasks: {state.tasks.get(fam, 0)}" for fam in fams]
    lines.append(f"task file: {out}; run folder: {run_dir} (projects.jsonl has every decision and reason)")
    if cost:
        lines.append(f"cost: {cost}")
    console.print("\n".join(lines), highlight=False, markup=False, emoji=False)
    if any(state.tasks.values()):
        console.print(f"use them: `agentic generate trajectories --tasks {out} --category coding --count N`")
