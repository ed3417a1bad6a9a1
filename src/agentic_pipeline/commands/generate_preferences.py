"""``agentic generate preferences``: preference pairs whose evidence was measured in the sandbox.

agentic generate preferences --count 300 --category all --out data/
agentic generate preferences --count 1000 --category efficiency --min-margin 2
agentic generate preferences --count 200 --category code_quality --teacher anthropic:claude-sonnet-4-5 --samples 4
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from agentic_pipeline.commands import generate_app
from agentic_pipeline.commands.options import (
    ClusterOptions,
    ExitCode,
    RunOptions,
    TeacherOptions,
    console,
    executor_for,
    fail,
    generation,
    grouped,
)

CATEGORY_CHOICES = ("code_quality", "efficiency", "safety", "all")


def _parse_margins(values: list[str], categories: tuple[str, ...]) -> dict[str, float]:
    """``2`` sets every category; ``efficiency=2`` one of them. A bad value exits with a message."""
    from agentic_pipeline.generate.prefs.judge import DEFAULT_MIN_MARGIN

    margins = dict(DEFAULT_MIN_MARGIN)
    for value in values:
        name, sep, number = value.rpartition("=")
        targets = [name] if sep else list(categories)
        if sep and name not in categories:
            fail(f"--min-margin {value}: unknown category {name!r}; expected one of {', '.join(categories)}")
        try:
            margin = float(number)
        except ValueError:
            fail(f"--min-margin {value}: expected a number or CATEGORY=NUMBER")
        if margin <= 0:
            fail(f"--min-margin {value}: the threshold must be > 0 (a tie is never kept)")
        margins.update(dict.fromkeys(targets, margin))
    return margins


@generate_app.command("preferences")
@grouped
def preferences(
    count: Annotated[
        int, typer.Option("--count", "-n", min=1, help="Pairs to have in total, spread over the categories.")
    ],
    run: RunOptions,
    cluster: ClusterOptions,
    teacher: TeacherOptions,
    category: Annotated[
        str, typer.Option("--category", "-c", help=f"One of {', '.join(CATEGORY_CHOICES)}.")
    ] = "all",
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Data directory; pairs go to OUT/preferences/.")
    ] = Path("data"),
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            min=2,
            help="With an LLM --teacher: N of best-of-N samples per problem, ranked by measurement.",
        ),
    ] = 4,
    min_margin: Annotated[
        list[str],
        typer.Option(
            "--min-margin",
            help="Keep a pair only if its margin is at least this: NUMBER for every category "
            "or CATEGORY=NUMBER (repeatable). Defaults: 1.0 each (see docs/benchmarks.md for the units).",
        ),
    ] = [],  # noqa: B006 (typer copies it)
    cache: Annotated[
        Path | None,
        typer.Option(
            "--cache",
            help="Measurement cache (JSONL); default ~/.cache/agentic-pipeline/preference-measurements.jsonl.",
        ),
    ] = None,
    no_trajectories: Annotated[
        bool,
        typer.Option(
            "--no-trajectories", help="Do not pair episodes found under OUT/trajectories and OUT/rejected."
        ),
    ] = False,
    no_derived: Annotated[
        bool,
        typer.Option(
            "--no-derived", help="code_quality: only hand-written pairs, not the derived smelly copies."
        ),
    ] = False,
) -> None:
    """Write OUT/preferences/{code_quality,efficiency,safety}.jsonl; re-running resumes to --count."""
    from agentic_pipeline.generate.preferences import SAMPLE_SHAPE, PrefConfig, default_cache, generate
    from agentic_pipeline.records import PREFERENCE_CATEGORIES

    if category not in CATEGORY_CHOICES:
        fail(f"--category {category}: expected one of {', '.join(CATEGORY_CHOICES)}")
    categories = list(PREFERENCE_CATEGORIES) if category == "all" else [category]
    margins = _parse_margins(min_margin, PREFERENCE_CATEGORIES)
    with generation(run, teacher, out, count=count * samples, shape=SAMPLE_SHAPE, unit="samples") as (
        opened,
        backend,
    ):
        config = PrefConfig(
            count=count, categories=categories, out=out, min_margin=margins, seed=run.seed, workers=run.workers,
            backend=backend, samples=samples, cache=cache or default_cache(), trajectories=not no_trajectories,
            derived=not no_derived,
        )  # fmt: skip
        with executor_for(cluster, backend) as config.executor, _bars() as progress:
            results = generate(config, progress, opened)
    _report(results, out)
    if opened.budget_reached:
        console().print(f"[yellow]stopped asking {opened.name} for samples: --max-cost-usd reached "
                        f"(${opened.total_usd():.4f} spent); the catalogue pairs were still written.[/yellow]")  # fmt: skip
        raise typer.Exit(int(ExitCode.BUDGET))
    short = [s for s in results if s.shortfall]
    for s in short:
        console().print(f"[yellow]{s.category}: {s.done} of {s.target}[/yellow] - every distinct pair and phrasing "
                        "of the catalogue is used; add problems/variants, trajectories or a --teacher for more.")  # fmt: skip
    if short:
        raise typer.Exit(int(ExitCode.FAILED))


@contextmanager
def _bars() -> Iterator[Callable[..., None]]:
    """One bar per category: pairs in the file of the target."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console()) as bar:
        tasks: dict[str, int] = {}

        def progress(cat: str, stats) -> None:
            if cat not in tasks:
                tasks[cat] = bar.add_task(cat, total=stats.target, completed=stats.existing)
            bar.update(tasks[cat], completed=stats.done)

        yield progress


def _report(results, out: Path) -> None:
    from rich.console import Console
    from rich.table import Table

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
