"""``agentic convert``: bring existing instruction data into the dataset as domain records.

agentic convert --input ../data --output data/domain/
agentic convert --input qa.csv --input chats.jsonl --output data/domain/ --domain support
agentic convert --input ../data --output data/domain/ --expand --teacher anthropic:claude-sonnet-5-5 \\
    --max-cost-usd 20    # + "Do X" rewrites, and verified trajectories under data/trajectories/
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from agentic_pipeline.commands import app
from agentic_pipeline.commands.options import ExitCode, TeacherOptions, grouped, open_teacher

if TYPE_CHECKING:
    from agentic_pipeline.convert import Summary
    from agentic_pipeline.generate.expand import ExpansionPlan
    from agentic_pipeline.teacher import Teacher


def _progress(console: Console) -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


def _table(summary: Summary) -> Table:
    table = Table(title="agentic convert", show_footer=True)
    table.add_column("file", footer="total", overflow="fold")
    table.add_column("domain")
    table.add_column("detected format")
    for name in ("read", "written", "rejected", "duplicates"):
        table.add_column(name, justify="right", footer=str(summary.total(name)))
    for f in summary.files:
        fmt = (f.format or ("-" if f.read == 0 else "unknown")) + (" (forced)" if f.forced else "")
        mixed = sum(n for note, n in f.notes.items() if note.startswith("rows in another format"))
        if mixed:
            fmt += f" (+{mixed} rows in other formats)"
        table.add_row(
            f.source, f.domain, fmt, str(f.read), str(f.written), str(f.rejected), str(f.duplicates)
        )
    return table


def _print_notes(console: Console, summary: Summary) -> None:
    for f in summary.files:
        if f.message:
            console.print(f"[yellow]{f.source}[/]: {f.message}")
        for note, count in sorted(f.notes.items()):
            console.print(f"  {f.source}: {note}" + (f" ({count} rows)" if count > 1 else ""))
    for skipped in summary.skipped:
        console.print(f"[dim]skipped {skipped}[/]")


@app.command()
@grouped
def convert(
    teacher: TeacherOptions,
    inputs: Annotated[
        list[Path] | None,
        typer.Option("--input", "-i", help="A file or a folder (walked recursively); repeat for several."),
    ] = None,
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="Folder for <domain>.jsonl; preference pairs go to ../preferences/."
        ),
    ] = Path("data/domain"),
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="Force a format instead of detecting it per file (see --list-formats)."
        ),
    ] = None,
    domain: Annotated[
        str | None,
        typer.Option(
            "--domain",
            "-d",
            help="Domain of every record (default: the top folder under the input, else the file name).",
        ),
    ] = None,
    expand: Annotated[
        bool,
        typer.Option(
            "--expand",
            help='Rewrite "How do I X?" examples into "Do X" answered with reasoning and, where the task can '
            "be executed, a verified trajectory run in the sandbox (needs an LLM --teacher).",
        ),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Processes converting big JSON Lines files in parallel; with --expand, also the how-tos "
            "handled at once unless --concurrency is given.",
        ),
    ] = os.cpu_count() or 1,
    list_formats: Annotated[
        bool, typer.Option("--list-formats", help="List the formats this command reads and exit.")
    ] = False,
) -> None:
    """Convert existing instruction data (Alpaca, ShareGPT, OpenAI chat, Dolly, OASST, Q/A, preferences)."""
    from agentic_pipeline.convert import FORMATS, Options
    from agentic_pipeline.generate.expand import ExpandError, expand_run_dir, expansion_plan

    console = Console()  # the report
    err = Console(stderr=True)  # progress and errors
    if list_formats:
        for name, description in FORMATS.items():
            typer.echo(f"{name:18} {description}")
        return
    if not inputs:
        err.print("[red]error:[/] --input PATH is required (a file or a folder of instruction data).")
        raise typer.Exit(int(ExitCode.USAGE))
    try:
        plan = expansion_plan(expand, teacher.teacher, teacher.concurrency or workers)
    except ExpandError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(int(ExitCode.USAGE)) from None
    if plan.message:
        console.print(plan.message)
    options = Options(fmt=fmt, domain=domain, workers=workers)
    if plan.teacher is None:
        _convert(console, err, inputs, output, options)
        return
    # A missing key is an error before any work, not after the conversion.
    with open_teacher(teacher, expand_run_dir(output)) as opened:
        summary = _convert(console, err, inputs, output, options)
        _expand(console, err, plan, summary.outputs, output, opened)
    if opened.budget_reached:
        err.print(
            f"[yellow]stopped: --max-cost-usd reached (${opened.total_usd():.4f} spent); "
            "re-run with a higher budget to continue where this run stopped.[/yellow]"
        )
        raise typer.Exit(int(ExitCode.BUDGET))


def _convert(console: Console, err: Console, inputs: list[Path], output: Path, options) -> Summary:
    """Convert with a progress bar, print the report; exits non-zero on bad input or nothing converted."""
    from agentic_pipeline.convert import InputError, convert_inputs

    with _progress(err) as progress:
        total = sum(p.stat().st_size for p in _files(inputs))
        task = progress.add_task("converting", total=total or None)
        try:
            summary = convert_inputs(
                inputs,
                output,
                options,
                progress=lambda n: progress.advance(task, n),
            )
        except InputError as exc:
            progress.stop()
            err.print(f"[red]error:[/] {exc}")
            raise typer.Exit(int(ExitCode.USAGE)) from None
        except KeyboardInterrupt:
            progress.stop()
            err.print("interrupted: no output was changed (outputs move into place only at the end).")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    console.print(_table(summary))
    _print_notes(console, summary)
    if summary.rejects_path:
        console.print(
            f"[yellow]{summary.total('rejected')} rows could not be converted[/]: each is in "
            f"{summary.rejects_path} with its file, line and reason."
        )
    for path in summary.outputs:
        console.print(f"wrote {path}")
    if summary.total("written") == 0:
        err.print("[red]error:[/] nothing could be converted (see the notes above).")
        raise typer.Exit(int(ExitCode.FAILED))
    return summary


def _expand(
    console: Console, err: Console, plan: ExpansionPlan, outputs: list[Path], output: Path, teacher: Teacher
) -> None:
    from agentic_pipeline.generate.expand import ExpandError, count_candidates, run_expansion

    if teacher.dry_run:
        typer.echo("\n".join(teacher.dry_run_lines(count_candidates(outputs, output), unit="how-tos")))
        return
    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )
    try:
        with progress:
            task = progress.add_task(f"expanding with {plan.teacher}", total=None)
            lines = run_expansion(
                plan,
                outputs,
                output,
                teacher,
                on_total=lambda n: progress.update(task, total=n),
                tick=lambda: progress.advance(task),
            )
    except ExpandError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(int(ExitCode.FAILED)) from None
    except KeyboardInterrupt:
        err.print(
            "interrupted: the teacher's answers are cached and written trajectories kept; rerun to go on."
        )
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    for line in lines:
        console.print(line)


def _files(inputs: list[Path]) -> list[Path]:
    out = []
    for p in inputs:
        if p.is_file():
            out.append(p)
        elif p.is_dir():
            out.extend(q for q in p.rglob("*") if q.is_file())
    return out
