"""``agentic convert``: bring existing instruction data into the dataset as domain records.

agentic convert --input ../data --output data/domain/
agentic convert --input qa.csv --input chats.jsonl --output data/domain/ --domain support
agentic convert --input ../data --output data/domain/ --expand --teacher anthropic:claude-sonnet-5-5 \\
    --max-cost-usd 20    # + "Do X" rewrites, and verified trajectories under data/trajectories/
agentic convert --input oasst2/ --output data/domain/ --oasst-paths all --oasst-preferences

The summary fits an 80-column terminal: one row per file (its path relative to --input), the tool
calls each file kept and lost (with a warning where a file's tool use shrank), the rejects counted by
kind of reason, and for OASST data how many replies the chosen paths kept and dropped.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
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
from agentic_pipeline.commands.options import (
    ClusterOptions,
    ExitCode,
    TeacherOptions,
    executor_for,
    grouped,
    open_teacher,
)

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


class OasstPaths(StrEnum):
    top = "top"
    all = "all"


NAME_WIDTH = 32  # a file's name in the tables; longer ones keep their first folder and their end
REASONS_PER_FILE = 5


def short_name(name: str, width: int = NAME_WIDTH) -> str:
    """``a/b/c/d/file.jsonl`` -> ``a/…/d/file.jsonl``: the first folder and as much of the end as fits."""
    if len(name) <= width:
        return name
    parts = name.split("/")
    tail = parts[-1]
    head = parts[0] + "/…/" if len(parts) > 2 and len(parts[0]) + 3 + len(tail) <= width else "…/"
    for part in reversed(parts[1:-1]):
        if len(head) + len(part) + 1 + len(tail) > width:
            break
        tail = f"{part}/{tail}"
    if len(head) + len(tail) > width:
        return "…" + name[-(width - 1) :]
    return head + tail


def _new_table(title: str) -> Table:
    # No vertical rules and no outer padding: the columns get the 80 columns of a terminal.
    return Table(
        title=title,
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
        show_footer=True,
        title_justify="left",
    )


def _table(summary: Summary, domain: str | None = None) -> Table:
    # No domain column: it is the first folder under --input (or the file's name), or --domain.
    from agentic_pipeline.convert.pipeline import slug

    table = _new_table("agentic convert" + (f" (domain: {slug(domain)})" if domain else ""))
    table.add_column("file", footer="total", overflow="fold")
    table.add_column("format", overflow="fold")
    for name, header in (
        ("read", "read"),
        ("written", "written"),
        ("rejected", "rejected"),
        ("duplicates", "dups"),
    ):
        table.add_column(header, justify="right", footer=str(summary.total(name)), no_wrap=True)
    for f in summary.files:
        fmt = (f.format or ("-" if f.read == 0 else "unknown")) + (" (forced)" if f.forced else "")
        mixed = sum(n for note, n in f.notes.items() if note.startswith("rows in another format"))
        if mixed:
            fmt += f" (+{mixed} other)"
        table.add_row(
            short_name(f.name or f.source),
            fmt,
            str(f.read),
            str(f.written),
            str(f.rejected),
            str(f.duplicates),
        )
    return table


def _tools_table(summary: Summary) -> Table | None:
    """Per file with tool use: rows with tool calls in the input, records written with them, lost."""
    from agentic_pipeline.convert.pipeline import FINAL_CALL_NOTE

    files = [f for f in summary.files if f.tool_rows]
    if not files:
        return None
    table = _new_table("tool calls (rows with calls: kept, duplicates, lost to rejects)")
    table.add_column("file", footer="total", overflow="fold")
    for header, total in (
        ("with calls", sum(f.tool_rows for f in files)),
        ("kept", summary.total("tool_kept")),
        ("dups", summary.total("tool_duplicates")),
        ("lost", summary.total("tool_lost")),
    ):
        table.add_column(header, justify="right", footer=str(total), no_wrap=True)
    table.add_column("end on a call", justify="right", no_wrap=True)
    for f in files:
        ends = f.notes.get(FINAL_CALL_NOTE, 0)
        lost = f"[yellow]{f.tool_lost}[/]" if f.tool_lost else "0"
        table.add_row(
            short_name(f.name or f.source),
            str(f.tool_rows),
            str(f.tool_kept),
            str(f.tool_duplicates),
            lost,
            str(ends),
        )
    return table


def _reasons_table(summary: Summary) -> Table | None:
    """The rejects of each file counted by kind of reason (particulars like positions and names left out)."""
    files = [f for f in summary.files if f.reasons]
    if not files:
        return None
    table = _new_table("rejected rows by reason (each row, with its reason, in rejected/convert.jsonl)")
    table.add_column("file", overflow="fold", max_width=NAME_WIDTH)
    table.add_column("rows", justify="right", no_wrap=True)
    table.add_column("reason", overflow="fold", ratio=1)
    for f in files:
        ranked = f.reasons.most_common()
        for i, (reason, count) in enumerate(ranked[:REASONS_PER_FILE]):
            table.add_row(short_name(f.name or f.source) if i == 0 else "", str(count), reason)
        rest = ranked[REASONS_PER_FILE:]
        if rest:
            table.add_row("", str(sum(n for _, n in rest)), f"[dim]{len(rest)} other kinds of reason[/]")
    return table


def _oasst_lines(summary: Summary, paths: str, preferences: bool) -> list[str]:
    """What the OASST choices kept and dropped, per file, and what the other choice would keep."""
    lines = []
    for f in summary.files:
        o = f.oasst
        if not o.get("replies"):
            continue
        name = short_name(f.name or f.source)
        kept, deleted = o["kept"], o["deleted"]
        dropped = o["replies"] - kept
        lower = max(0, o["all"] - o["top"]) if paths == "top" else 0
        other = max(0, dropped - deleted - lower)
        parts = [f"{deleted} deleted or below a deleted or missing message"]
        if lower:
            parts.append(f"{lower} on lower-ranked branches")
        if other:
            parts.append(f"{other} in rejected or unreadable paths")
        what = "the best-ranked path of each tree" if paths == "top" else "every root-to-leaf path"
        lines.append(
            f"{name}: OASST replies: kept {kept} of {o['replies']} (--oasst-paths {paths}: {what}); "
            f"dropped {dropped}: {', '.join(parts)}."
        )
        if paths == "top" and o["all"] > o["top"]:
            lines.append(f"  --oasst-paths all would keep {o['all']} (every reply on a root-to-leaf path).")
        elif paths == "all":
            lines.append(f"  --oasst-paths top would keep {o['top']}.")
        if preferences:
            lines.append(
                f"  --oasst-preferences: {o['pairs_kept']} preference pairs written from {o['groups']} "
                f"prompts with ranked replies ({o['pairs']} possible)."
            )
        elif o["pairs"]:
            lines.append(
                f"  --oasst-preferences would add {o['pairs']} preference pairs (best-ranked reply against "
                f"each lower-ranked sibling) from {o['groups']} prompts with ranked replies."
            )
    return lines


def _tool_warnings(summary: Summary) -> list[str]:
    out = []
    for f in summary.files:
        if f.tool_lost:
            out.append(
                f"[yellow]warning:[/] {short_name(f.name or f.source)}: tool use shrank: {f.tool_lost} of "
                f"{f.tool_rows} rows with tool calls were rejected, so their calls are not in the output "
                "(reasons below)."
            )
    return out


def _print_notes(console: Console, summary: Summary) -> None:
    from agentic_pipeline.convert.pipeline import FINAL_CALL_NOTE

    for f in summary.files:
        if f.message:
            console.print(f"[yellow]{short_name(f.name or f.source)}[/]: {f.message}")
    files = [f for f in summary.files if set(f.notes) - {FINAL_CALL_NOTE}]
    if files:
        table = _new_table("notes (what was changed or left out on the way)")
        table.add_column("file", overflow="fold", max_width=NAME_WIDTH)
        table.add_column("rows", justify="right", no_wrap=True)
        table.add_column("note", overflow="fold", ratio=1)
        for f in files:
            notes = sorted((n, c) for n, c in f.notes.items() if n != FINAL_CALL_NOTE)  # in the tools table
            for i, (note, count) in enumerate(notes):
                table.add_row(short_name(f.name or f.source) if i == 0 else "", str(count), note)
        console.print(table)
    for skipped in summary.skipped:
        console.print(f"[dim]skipped {skipped}[/]")


@app.command()
@grouped
def convert(
    teacher: TeacherOptions,
    cluster: ClusterOptions,
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
    oasst_paths: Annotated[
        OasstPaths,
        typer.Option(
            "--oasst-paths",
            help="OASST trees: 'top' trains the best-ranked path of each tree; 'all' every root-to-leaf "
            "path, so that every reply trains (see docs/formats.md).",
        ),
    ] = OasstPaths.top,
    oasst_preferences: Annotated[
        bool,
        typer.Option(
            "--oasst-preferences",
            help="OASST trees: also write preference pairs from ranked sibling replies (the best-ranked "
            "against each lower-ranked one) to ../preferences/.",
        ),
    ] = False,
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
    options = Options(
        fmt=fmt,
        domain=domain,
        workers=workers,
        oasst_paths=oasst_paths.value,
        oasst_preferences=oasst_preferences,
    )
    if plan.teacher is None:
        with executor_for(cluster, None) as options.executor:  # --executor ray: chunks on the nodes
            _convert(console, err, inputs, output, options)
        return
    # A missing key is an error before any work, not after the conversion.
    with open_teacher(teacher, expand_run_dir(output)) as opened:
        with executor_for(cluster, None) as options.executor:
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
    console.print(_table(summary, options.domain))
    tools = _tools_table(summary)
    if tools is not None:
        console.print(tools)
    for line in _tool_warnings(summary):
        console.print(line)
    for line in _oasst_lines(summary, options.oasst_paths, options.oasst_preferences):
        console.print(line)
    reasons = _reasons_table(summary)
    if reasons is not None:
        console.print(reasons)
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
