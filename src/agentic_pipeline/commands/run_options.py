"""The options every generating command shares (the teacher, its limits, the sandbox), declared once.

Each command lists them in its signature with these types (``rpm: Rpm = None``), so the flags, their
help and their checks are the same everywhere; ``teacher_run`` turns the teacher options into the
run's ledger, budget and client-side limits, and ``sandbox_backend`` checks that bubblewrap works (or
each prints a message and exits 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

TEACHER_HELP = "oracle (offline), anthropic:MODEL or openai:MODEL."

Teacher = Annotated[str, typer.Option("--teacher", help=TEACHER_HELP)]
BaseUrl = Annotated[
    str | None,
    typer.Option(
        "--base-url", help="Endpoint of an OpenAI-compatible or Anthropic server (default: the SDK's)."
    ),
]
MaxCostUsd = Annotated[
    float | None,
    typer.Option(
        "--max-cost-usd",
        min=0.0,
        help="Paid teachers: start no new episode once the run's ledger reaches this many dollars; "
        "episodes in flight finish and are written (exit code 4).",
    ),
]
Concurrency = Annotated[
    int | None,
    typer.Option(
        "--concurrency",
        min=1,
        help="Paid teachers: model requests in flight at once (default: up to --workers). Give --workers "
        "more than this so tools run while requests wait.",
    ),
]
Rpm = Annotated[
    float | None, typer.Option("--rpm", help="Paid teachers: client-side limit, requests per minute.")
]
Itpm = Annotated[
    float | None, typer.Option("--itpm", help="Paid teachers: client-side limit, input tokens per minute.")
]
Otpm = Annotated[
    float | None, typer.Option("--otpm", help="Paid teachers: client-side limit, output tokens per minute.")
]
Thinking = Annotated[
    str | None,
    typer.Option(
        "--thinking", help="Anthropic: 'adaptive', or a token budget for extended thinking (older models)."
    ),
]
RequestTimeout = Annotated[
    float | None,
    typer.Option(
        "--request-timeout",
        help="Paid teachers: seconds before a model request is retried (SDK default 600).",
    ),
]

UnsafeSubprocess = Annotated[
    bool,
    typer.Option(
        "--unsafe-subprocess",
        help="Run commands WITHOUT isolation (plain subprocesses): only for machines without user namespaces.",
    ),
]


def sandbox_backend(console: Any, unsafe_subprocess: bool) -> str:
    """``bwrap``, checked to work here, or ``subprocess`` when asked for; exits 2 saying why bwrap can't run."""
    if unsafe_subprocess:
        console.print("[yellow]warning[/yellow]: --unsafe-subprocess runs commands with NO isolation")
        return "subprocess"
    from agentic_pipeline.sandbox import SandboxUnavailable, check_bwrap

    try:
        check_bwrap()
    except SandboxUnavailable as exc:
        console.print(f"[red]error[/red]: {exc}")
        raise typer.Exit(2) from None
    return "bwrap"


def teacher_run(
    console: Any,
    teacher: str,
    out: Path,
    base_url: str | None = None,
    max_cost_usd: float | None = None,
    concurrency: int | None = None,
    rpm: float | None = None,
    itpm: float | None = None,
    otpm: float | None = None,
    thinking: str | None = None,
    request_timeout: float | None = None,
) -> Any:
    """The run's ``TeacherRun`` (ledger under ``out``, budget, limits); exits 2 with the reason on a bad value."""
    from agentic_pipeline.llm.runtime import parse_thinking, prepare_teacher

    try:
        return prepare_teacher(
            teacher,
            out,
            base_url,
            max_cost_usd,
            concurrency=concurrency,
            rpm=rpm,
            itpm=itpm,
            otpm=otpm,
            thinking=parse_thinking(thinking),
            timeout=request_timeout,
        )
    except ValueError as exc:
        console.print(f"[red]error[/red]: {exc}")
        raise typer.Exit(2) from None


def budget_exit(console: Any, run: Any) -> None:
    """Exit 4 with a hint when the run stopped at its dollar budget."""
    if run.budget_reached:
        console.print(
            f"[yellow]stopped: --max-cost-usd reached (${run.total_usd():.4f} spent); "
            "re-run with a higher budget to continue where this run stopped.[/yellow]"
        )
        raise typer.Exit(4)
