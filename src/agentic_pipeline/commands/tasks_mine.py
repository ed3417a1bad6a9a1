"""``agentic tasks mine``: tasks from real code (your repository, a PyPI package, the shipped catalog).

agentic tasks mine --repo ../myproject --test-cmd "python -m pytest -q -x" --max 200 --out mined.jsonl
agentic tasks mine --repo ../myproject --test-cmd "python -m pytest -q" --requirements requirements-dev.txt
agentic tasks mine --pypi toolz==1.0.0 --max 300 --out toolz.jsonl
agentic tasks mine --catalog --max 500 --out catalog.jsonl      # resumable; per-source files beside it
"""

from __future__ import annotations

from pathlib import Path

import typer

from agentic_pipeline.commands import tasks_app

FAMILIES = ("debugging", "coding")


@tasks_app.command("mine")
def mine_tasks(
    repo: Path = typer.Option(
        None, "--repo", help="Your repository (copied; the original is not modified). Needs --test-cmd."
    ),
    pypi: str = typer.Option(
        None, "--pypi", help="NAME or NAME==VERSION: mine the package's sdist from PyPI (tests included)."
    ),
    catalog: bool = typer.Option(
        False, "--catalog", help="Mine every package of the shipped catalog (resumable; see docs/mining.md)."
    ),
    test_cmd: str = typer.Option(
        None,
        "--test-cmd",
        help="Runs the tests from the source's root, e.g. 'python -m pytest -q -x'. "
        "Found from the sdist for --pypi; required for --repo.",
    ),
    requirements: Path = typer.Option(
        None,
        "--requirements",
        help="--repo: a requirements file; the repository then gets its own environment holding them.",
    ),
    extra: list[str] = typer.Option(
        [],
        "--extra",
        help="--repo: install the dependencies pyproject.toml declares plus this extra (repeatable) "
        "into the repository's own environment.",
    ),
    max_tasks: int = typer.Option(
        100, "--max", min=1, help="Stop after this many valid tasks (per package with --catalog)."
    ),
    out: Path = typer.Option(
        Path("mined_tasks.jsonl"), "--out", help="JSONL file of tasks for `generate trajectories --tasks`."
    ),
    family: list[str] = typer.Option(
        list(FAMILIES), "--family", help="debugging and/or coding (repeatable)."
    ),
    retry_failed: bool = typer.Option(
        False, "--retry-failed", help="--catalog: retry the packages an earlier run could not mine."
    ),
    workers: int = typer.Option(
        2,
        "--workers",
        min=1,
        help="Candidates checked at once (each runs tests in its own sandbox). About the number of cores "
        "this process may use; with several --shard processes on one machine, share them out.",
    ),
    shard: str = typer.Option(
        "0/1",
        "--shard",
        help="--catalog: i/N, this process takes every N-th package from the i-th (several processes or "
        "machines, one --out).",
    ),
) -> None:
    """Inject bugs / remove function bodies in a copy of real code; keep those its tests catch.

    Candidates are made only on lines the tests execute (one coverage run) and checked by the tests
    that execute them; the tasks are spread over modules, functions and families. A source with
    dependencies gets its own environment (a venv built once, with uv or pip, and reused), mounted
    read-only in the sandbox."""
    from rich.console import Console

    from agentic_pipeline.tasks.pypi import Package, PypiError

    console = Console(stderr=True)
    bad = [f for f in family if f not in FAMILIES]
    if bad:
        console.print(f"[red]error[/red]: --family {bad[0]!r}: mining makes debugging and coding tasks")
        raise typer.Exit(2)
    if sum(x is not None and x is not False for x in (repo, pypi, catalog or None)) != 1:
        console.print("[red]error[/red]: give exactly one of --repo PATH, --pypi NAME[==VERSION], --catalog")
        raise typer.Exit(2)
    if (requirements or extra) and not repo:
        console.print("[red]error[/red]: --requirements and --extra go with --repo")
        raise typer.Exit(2)
    if catalog:
        from agentic_pipeline.generate.trajectories import parse_shard

        try:
            i, n = parse_shard(shard)
        except ValueError as exc:
            console.print(f"[red]error[/red]: {exc}")
            raise typer.Exit(2) from None
        _mine_catalog(console, out, max_tasks, tuple(family), retry_failed, (i, n), workers)
        return
    if repo and not test_cmd:
        console.print("[red]error[/red]: --repo needs --test-cmd (how its tests run, from its root)")
        raise typer.Exit(2)
    try:
        pkg = Package.parse(pypi) if pypi else None
    except PypiError as exc:
        console.print(f"[red]error[/red]: {exc}")
        raise typer.Exit(2) from None
    _mine_one(console, repo, pkg, test_cmd, requirements, extra, max_tasks, out, tuple(family), workers)


def _mine_one(console, repo, pkg, test_cmd, requirements, extra, max_tasks, out, families, workers) -> None:
    from rich.progress import Progress

    from agentic_pipeline.tasks.catalog import write_task_file
    from agentic_pipeline.tasks.environments import EnvError, declared, read_requirements
    from agentic_pipeline.tasks.mine import MineError, mine
    from agentic_pipeline.tasks.mine_pypi import mine_package

    try:
        reqs = None
        if repo and (requirements or extra):
            reqs = [*declared(Path(repo), extra), *(read_requirements(requirements) if requirements else [])]
    except (EnvError, OSError) as exc:
        console.print(f"[red]error[/red]: {exc}", highlight=False)
        raise typer.Exit(2) from None
    with Progress(console=console) as bar:
        job = bar.add_task("checking candidates", total=max_tasks)

        def on_checked(task, ok) -> None:
            bar.update(job, advance=int(ok), description=f"checking candidates ({task.family})")

        try:
            if pkg:
                mined = mine_package(
                    pkg, max_tasks, families, test_cmd, on_checked=on_checked, workers=workers
                )
            else:
                mined = mine(
                    repo,
                    test_cmd,
                    max_tasks,
                    families,
                    on_checked=on_checked,
                    requirements=reqs,
                    workers=workers,
                )
        except MineError as exc:
            console.print(f"[red]error[/red]: {exc}", highlight=False)
            raise typer.Exit(2) from None
    console.print(mined.report.line(), highlight=False)
    n = write_task_file(out, mined.tasks)
    console.print(
        f"wrote {n} tasks to {out}; use them with `agentic generate trajectories --tasks {out} ...`"
    )


def _mine_catalog(
    console,
    out: Path,
    max_tasks: int,
    families: tuple[str, ...],
    retry_failed: bool,
    shard: tuple[int, int],
    workers: int,
) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from agentic_pipeline.tasks.mine_pypi import CatalogRun
    from agentic_pipeline.tasks.pypi import CATALOG, load_catalog

    catalog = load_catalog()
    packages = catalog[shard[0] :: shard[1]]
    run = CatalogRun(out, max_tasks, families, retry_failed, workers)
    rows = []
    columns = [TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=console) as bar:
        overall = bar.add_task("packages", total=len(packages))
        current = bar.add_task("", total=max_tasks)
        for pkg in packages:
            bar.reset(current, total=max_tasks, description=f"  {pkg.spec}")

            def on_checked(task, ok) -> None:
                bar.update(current, advance=int(ok))

            row = run.run(pkg, on_checked)
            rows.append(row)
            bar.console.print(
                row.summary or f"pypi:{pkg.name}: [red]not mined[/red]: {row.error}", highlight=False
            )
            bar.advance(overall)
    table = Table(title=f"Catalog ({CATALOG.name}): tasks per source", show_edge=False)
    for col in ("source", "version", "tasks", "candidates", "uncovered", "tried", "rejected", "seconds"):
        table.add_column(col, justify="left" if col in ("source", "version") else "right")
    for r in rows:
        cells = (r.tasks, r.built, r.uncovered, r.tried, r.rejected, f"{r.seconds:.0f}")
        table.add_row(r.name, r.version, *(("-",) * 6 if r.error else (str(c) for c in cells)))
    total = sum(r.tasks for r in rows)
    table.add_row(
        "[bold]total[/bold]", "", f"[bold]{total}[/bold]", str(sum(r.built for r in rows)), "", "", "", ""
    )
    console.print(table)
    n = run.combine(catalog)  # every package done so far, whichever process did it
    failed = [r.name for r in rows if r.error]
    if failed:
        console.print(
            f"{len(failed)} packages not mined ({', '.join(failed)}); --retry-failed tries them again."
        )
    console.print(f"wrote {n} tasks to {out} (per package: {run.dir}/)")
