"""``agentic tasks list`` and ``agentic tasks mine``: what the agent can be asked to do.

agentic tasks list
agentic tasks list --check            # run every unchecked candidate once (slow the first time, cached)
agentic tasks list --split eval       # only the held-out sources (agentic_pipeline.tasks.split)

Mining (``agentic tasks mine``) is in ``tasks_mine``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer

from agentic_pipeline.commands import tasks_app


@tasks_app.command("list")
def list_tasks(
    check: bool = typer.Option(
        False, "--check", help="Check unverified candidates in the sandbox (cached on disk)."
    ),
    family: str = typer.Option(
        None, "--family", help="Only this family (coding, debugging, refactoring, devops)."
    ),
    tasks_file: Path = typer.Option(
        None, "--tasks", help="Count the tasks of a JSONL file instead of the built-in sources."
    ),
    split: Literal["train", "eval", "all"] = typer.Option(
        "all", "--split", help="Only the sources of this held-out split (train, eval) or all."
    ),
) -> None:
    """Candidates per source and family, their held-out split, and how many are verified real tasks
    (from the cache); then the train / eval counts per family."""
    from rich.console import Console
    from rich.table import Table

    from agentic_pipeline.tasks.base import FAMILIES
    from agentic_pipeline.tasks.catalog import candidates, load_task_file
    from agentic_pipeline.tasks.split import EVAL_SHARE, SPLITS, select, split_of
    from agentic_pipeline.tasks.validity import cached_validity

    console = Console()
    families = [family] if family else list(FAMILIES)
    if any(f not in FAMILIES for f in families):
        console.print(f"[red]error[/red]: --family {family!r}: expected one of {', '.join(FAMILIES)}")
        raise typer.Exit(2)
    try:
        pool = load_task_file(tasks_file) if tasks_file else [t for f in families for t in candidates(f)]
    except (ValueError, OSError) as exc:
        console.print(f"[red]error[/red]: {exc}")
        raise typer.Exit(2) from None
    pool = select(pool, split)
    if check:
        _check([t for t in pool if cached_validity(t) is None])
    rows: dict[tuple[str, str], list[int]] = {}
    per_split: dict[tuple[str, str], list[int]] = {}
    for t in pool:
        state = cached_validity(t)
        for row in (
            rows.setdefault((t.source, t.family), [0, 0, 0]),
            per_split.setdefault((t.family, t.split), [0, 0, 0]),
        ):
            row[0] += 1
            row[1] += state is True
            row[2] += state is None
    table = Table(title="Tasks", show_edge=False)
    width = max((len(source) for source, _ in rows), default=6)
    for col in ("source", "split", "family", "candidates", "verified", "unchecked"):
        table.add_column(
            col,
            justify="right" if col in ("candidates", "verified", "unchecked") else "left",
            min_width=width if col == "source" else None,
        )
    totals = [0, 0, 0]
    for (source, fam), (n, ok, unk) in sorted(rows.items()):
        table.add_row(source, split_of(source), fam, str(n), str(ok), str(unk))
        totals = [a + b for a, b in zip(totals, (n, ok, unk), strict=True)]
    table.add_row("[bold]total[/bold]", "", "", *(f"[bold]{x}[/bold]" for x in totals))
    console.print(table)
    by_family = Table(
        title=f"Per split (eval: ~{EVAL_SHARE:.0%} of the sources, never trained on)", show_edge=False
    )
    for col in ("family", "split", "candidates", "verified", "unchecked"):
        by_family.add_column(col, justify="left" if col in ("family", "split") else "right")
    for fam in families:
        for name in SPLITS:
            if (fam, name) in per_split:
                by_family.add_row(fam, name, *(str(x) for x in per_split[(fam, name)]))
    console.print(by_family)
    if totals[2]:
        console.print(f"{totals[2]} candidates not checked yet: `agentic tasks list --check` runs them once.")


def _check(todo: list) -> None:
    """Check candidates in the sandbox, two at a time, through the generators' pool (valid = kept)."""
    import asyncio
    from functools import partial

    from agentic_pipeline.commands.options import progress_bars
    from agentic_pipeline.generate.pool import Counts, Done, Job, fill
    from agentic_pipeline.tasks.validity import task_is_valid

    async def one(task) -> Done:
        return Done(task.id, kept=await task_is_valid(task))

    with progress_bars(label_width=10) as progress:
        counts = Counts("valid", len(todo))  # a valid candidate is "kept": the bar counts them of all
        asyncio.run(fill(counts, (Job(t.id, partial(one, t)) for t in todo), workers=2, progress=progress))
