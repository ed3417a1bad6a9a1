"""``agentic generate preferences``: preference pairs whose evidence was measured in the sandbox.

agentic generate preferences --count 300 --category all --out data/
agentic generate preferences --count 1000 --category efficiency --min-margin 2
agentic generate preferences --count 200 --category code_quality --teacher anthropic:claude-sonnet-4-5 --samples 4
"""

from __future__ import annotations

import statistics
from pathlib import Path

import typer

from agentic_pipeline.commands import generate_app
from agentic_pipeline.commands.run_options import UnsafeSubprocess, sandbox_backend

CATEGORY_CHOICES = ("code_quality", "efficiency", "safety", "all")


def _parse_margins(values: list[str], categories: tuple[str, ...]) -> dict[str, float]:
    """``2`` sets every category; ``efficiency=2`` one of them. A bad value exits with a message."""
    from agentic_pipeline.generate.prefs.judge import DEFAULT_MIN_MARGIN

    margins = dict(DEFAULT_MIN_MARGIN)
    for value in values:
        name, sep, number = value.rpartition("=")
        targets = [name] if sep else list(categories)
        if sep and name not in categories:
            typer.echo(f"error: --min-margin {value}: unknown category {name!r}; expected one of "
                       f"{', '.join(categories)}", err=True)  # fmt: skip
            raise typer.Exit(2)
        try:
            margin = float(number)
        except ValueError:
            typer.echo(f"error: --min-margin {value}: expected a number or CATEGORY=NUMBER", err=True)
            raise typer.Exit(2) from None
        if margin <= 0:
            typer.echo(
                f"error: --min-margin {value}: the threshold must be > 0 (a tie is never kept)", err=True
            )
            raise typer.Exit(2)
        margins.update(dict.fromkeys(targets, margin))
    return margins


@generate_app.command("preferences")
def preferences(
    count: int = typer.Option(
        ..., "--count", "-n", min=1, help="Pairs to have in total, spread over the categories."
    ),
    category: str = typer.Option("all", "--category", "-c", help=f"One of {', '.join(CATEGORY_CHOICES)}."),
    out: Path = typer.Option(
        Path("data"), "--out", "-o", help="Data directory; pairs go to OUT/preferences/."
    ),
    teacher: str | None = typer.Option(
        None,
        "--teacher",
        help="anthropic:MODEL or openai:MODEL: add best-of-N samples ranked by measurement.",
    ),
    base_url: str | None = typer.Option(
        None,
        "--base-url",
        help="The teacher's endpoint (OpenAI-compatible server, proxy); default: the SDK's.",
    ),
    samples: int = typer.Option(
        4, "--samples", min=2, help="N of best-of-N: samples per problem from --teacher."
    ),
    min_margin: list[str] = typer.Option(
        [],
        "--min-margin",
        help="Keep a pair only if its margin is at least this: NUMBER for every category "
        "or CATEGORY=NUMBER (repeatable). Defaults: 1.0 each (see docs/benchmarks.md for the units).",
    ),
    seed: int = typer.Option(0, "--seed", help="Seeds the order of problems, pairs and phrasings."),
    workers: int = typer.Option(2, "--workers", "-w", min=1, help="Candidates measured at once."),
    cache: Path | None = typer.Option(
        None,
        "--cache",
        help="Measurement cache (JSONL); default ~/.cache/agentic-pipeline/preference-measurements.jsonl.",
    ),
    no_trajectories: bool = typer.Option(
        False, "--no-trajectories", help="Do not pair episodes found under OUT/trajectories and OUT/rejected."
    ),
    no_derived: bool = typer.Option(
        False, "--no-derived", help="code_quality: only hand-written pairs, not the derived smelly copies."
    ),
    unsafe_subprocess: UnsafeSubprocess = False,
) -> None:
    """Write OUT/preferences/{code_quality,efficiency,safety}.jsonl; re-running resumes to --count."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from agentic_pipeline.generate.preferences import PrefConfig, default_cache, generate
    from agentic_pipeline.records import PREFERENCE_CATEGORIES

    if category not in CATEGORY_CHOICES:
        typer.echo(f"error: --category {category}: expected one of {', '.join(CATEGORY_CHOICES)}", err=True)
        raise typer.Exit(2)
    categories = list(PREFERENCE_CATEGORIES) if category == "all" else [category]
    margins = _parse_margins(min_margin, PREFERENCE_CATEGORIES)
    console = Console(stderr=True)
    backend = sandbox_backend(console, unsafe_subprocess)
    config = PrefConfig(
        count=count, categories=categories, out=out, min_margin=margins, seed=seed, workers=workers,
        backend=backend, teacher=teacher, teacher_base_url=base_url,
        samples=samples,
        cache=cache or default_cache(), trajectories=not no_trajectories, derived=not no_derived,
    )  # fmt: skip
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        tasks: dict[str, int] = {}

        def progress(cat: str, stats) -> None:
            if cat not in tasks:
                tasks[cat] = bar.add_task(cat, total=stats.target, completed=stats.existing)
            bar.update(tasks[cat], completed=stats.done)

        try:
            results = generate(config, progress)
        except (
            ValueError
        ) as exc:  # a malformed catalogue folder, data file or teacher spec: the message says which
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
    table = Table(title=f"preference pairs in {out}/preferences")
    for col in (
        "category",
        "in file",
        "new",
        "candidate pairs",
        "kept",
        "dropped (reason: n)",
        "margin median",
    ):
        table.add_column(col)
    for s in results:
        dropped = ", ".join(f"{k}: {v}" for k, v in sorted(s.dropped.items())) or "-"
        median = f"{statistics.median(s.margins):.2f}" if s.margins else "-"
        table.add_row(
            s.category,
            str(s.done),
            str(s.written),
            str(s.candidate_pairs),
            str(s.kept_pairs),
            dropped,
            median,
        )
    Console().print(table)
    short = [s for s in results if s.shortfall]
    for s in short:
        console.print(f"[yellow]{s.category}: {s.done} of {s.target}[/yellow] - every distinct pair and phrasing "
                      "of the catalogue is used; add problems/variants, trajectories or a --teacher for more.")  # fmt: skip
    if short:
        raise typer.Exit(1)
