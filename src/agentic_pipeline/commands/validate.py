"""``agentic validate``: is the dataset valid, clean, balanced, and will it fit the context window?

    agentic validate --data-dir data/
    agentic validate --data-dir data/ --tokenizer Qwen/Qwen2.5-32B-Instruct --max-tokens 16384 \\
        --report report.json --fix data-clean/ --decontaminate humaneval.jsonl --target trajectory=500

Exit code 0: no error-level finding; 1: at least one; 2: a usage error (bad option, missing folder).

The ``grounding`` check (agentic_pipeline/grounding.py) reports an assistant turn that refers to something it
was never shown (a helper or attribute its code uses, a path, a line number, an error message, a
test name) as a warning, with the dataset's grounding rate in the summary; ``--strict-grounding``
makes those findings errors (exit code 1, and ``--fix`` drops the records).

The ``eval_contamination`` check (agentic_pipeline/curate/heldout.py) reports a record made from a task of the
held-out eval split (its source in ``metadata.source``, or read from ``metadata.task_id``) as an error:
evaluation must run on code training never saw. ``--split eval`` validates a folder of evaluation data
instead (a record of a train source is then the error, ``train_in_eval``); ``--split all`` skips the check.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer

from agentic_pipeline.commands import app
from agentic_pipeline.commands.options import ClusterOptions, executor_for

MAX_FINDINGS_SHOWN = 20


def _fail_usage(message: str) -> None:
    typer.secho(f"error: {message}", err=True, fg="red")
    raise typer.Exit(2)


def _print_report(report, fixed: dict[str, int] | None, fix_dir: Path | None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    summary = report.summary
    shown = report.findings[:MAX_FINDINGS_SHOWN]
    for f in shown:
        color = "red" if f.severity == "error" else "yellow"
        console.print(f"[{color}]{f.where()}[/] [bold]{f.check}[/] {f.message}", markup=True, highlight=False)
    if len(report.findings) > len(shown):
        console.print(
            f"... and {len(report.findings) - len(shown)} more findings (--report FILE has them all)"
        )

    checks = Table(title="Findings by check")
    checks.add_column("check")
    checks.add_column("errors", justify="right")
    checks.add_column("warnings", justify="right")
    for check, counts in summary["by_check"].items():
        checks.add_row(check, str(counts["error"]), str(counts["warning"]))
    if summary["by_check"]:
        console.print(checks)
    _print_grounding(console, summary["grounding"])

    tokens_label = "tokens (approx.)" if summary["token_counts_approximate"] else "tokens"
    kinds = Table(title=f"Balance and {tokens_label} per category")
    for column in ("kind", "category", "records", "target", "mean", "median", "p95", "max"):
        kinds.add_column(column, justify="left" if column in ("kind", "category") else "right")
    for kind, info in summary["balance"].items():
        kinds.add_row(kind, "[bold]all[/]", str(info["count"]), str(info["target"]), "", "", "", "")
        for category, cat in info["categories"].items():
            t = cat["tokens"]
            kinds.add_row(
                "",
                category,
                str(cat["count"]),
                "",
                f"{t['mean']:.0f}",
                f"{t['median']:.0f}",
                f"{t['p95']:.0f}",
                str(t["max"]),
            )
    console.print(kinds)
    if summary["note"]:
        console.print(f"[yellow]note:[/] {summary['note']}")
    console.print(
        f"{summary['records']:,} records in {summary['files']} files, {summary['bytes'] / 1e6:.1f} MB, "
        f"{summary['seconds']:.1f} s ({summary['records_per_s'] or 0:,.0f} records/s): "
        f"[red]{summary['errors']} errors[/], [yellow]{summary['warnings']} warnings[/]"
    )
    if fixed is not None:
        console.print(
            f"--fix: {fixed['kept']} records kept ({fixed['redacted']} redacted), {fixed['dropped']} dropped -> "
            f"{fix_dir} (dropped records with their reasons in {fix_dir}/rejected/)"
        )


def _print_grounding(console, g: dict) -> None:
    if not g["checked"]:
        return
    kinds = ", ".join(f"{kind} {k['grounded']}/{k['checked']}" for kind, k in g["by_kind"].items())
    refs = ", ".join(f"{rule} {n}" for rule, n in g["ungrounded_references"].items())
    console.print(
        f"grounding: {g['grounded']}/{g['checked']} checked records ({g['rate']:.1%}) refer only to what "
        f"they were shown ({kinds})"
        + (f"; ungrounded references: {refs}" if refs else "")
        + f" [{g['severity']}s]",
        highlight=False,
        markup=False,
    )


@app.command()
def validate(
    data_dir: Path = typer.Option(
        ..., "--data-dir", help="Folder holding the .jsonl files (the seed's layout)."
    ),
    tokenizer: str | None = typer.Option(
        None,
        "--tokenizer",
        help="Tokenizer folder or cached hub name; default: the tiny offline one (approximate).",
    ),
    max_tokens: int = typer.Option(32768, "--max-tokens", min=1, help="Longest record allowed, in tokens."),
    report_path: Path | None = typer.Option(
        None, "--report", help="Write the findings and summary as JSON here."
    ),
    fix: Path | None = typer.Option(
        None, "--fix", help="Write the clean dataset here, dropped records in <dir>/rejected/<check>.jsonl."
    ),
    decontaminate: list[Path] = typer.Option(
        [],
        "--decontaminate",
        help="Benchmark file (.jsonl or text) to check n-gram overlap with; repeatable.",
    ),
    target: list[str] = typer.Option([], "--target", help="Override a target count, KIND=N; repeatable."),
    no_near_dup: bool = typer.Option(
        False,
        "--no-near-dup",
        help="Skip near-duplicate detection (MinHash LSH) and the duplicate_prompt check.",
    ),
    near_dup_threshold: float = typer.Option(
        0.85,
        "--near-dup-threshold",
        min=0.1,
        max=1.0,
        help="Estimated Jaccard similarity that counts as near.",
    ),
    ngram: int = typer.Option(13, "--ngram", min=3, help="Word n-gram size for --decontaminate."),
    workers: int = typer.Option(0, "--workers", min=0, help="Worker processes; 0: one per CPU core."),
    max_line_bytes: int = typer.Option(
        8 * 1024 * 1024, "--max-line-bytes", min=1024, help="Longer lines are findings, not parsed."
    ),
    split: Literal["train", "eval", "all"] = typer.Option(
        "train",
        "--split",
        help="What the folder holds: train data (default: a record of a held-out eval source is an "
        "eval_contamination error), eval data (a record of a train source is an error) or all (no check).",
    ),
    executor: Literal["local", "ray"] = typer.Option(
        "local",
        "--executor",
        help="local: worker processes here (default). ray: the chunks are validated as Ray tasks on a Ray "
        "cluster's nodes (this process reads them and sends their bytes: the nodes need no access to the "
        "data); the same report (docs/distributed.md).",
    ),
    ray_address: str | None = typer.Option(
        None,
        "--ray-address",
        help="--executor ray: the cluster's HOST:PORT (default: RAY_ADDRESS or a new one).",
    ),
    strict_grounding: bool = typer.Option(
        False,
        "--strict-grounding",
        help="Grounding findings (a turn refers to a name, path, line or error never shown before it) "
        "are errors: exit code 1, dropped by --fix. Default: warnings.",
    ),
) -> None:
    """Validate every .jsonl under --data-dir: schema, semantics, held-out split, grounding, length,
    duplicates, secrets, contamination, balance. Exit code 1 when any error-level finding exists."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    from agentic_pipeline.curate import Options, balance, write_fixed
    from agentic_pipeline.curate import validate as run_validation

    if not data_dir.is_dir():
        _fail_usage(f"--data-dir {data_dir}: not a folder")
    for path in decontaminate:
        if not path.is_file():
            _fail_usage(f"--decontaminate {path}: no such file")
    if fix is not None and fix.resolve() == data_dir.resolve():
        _fail_usage("--fix must name a folder other than --data-dir")
    try:
        targets = balance.parse_targets(target)
    except ValueError as exc:
        _fail_usage(str(exc))
    try:
        from agentic_pipeline.tiny import load_tokenizer

        load_tokenizer(tokenizer)
    except (FileNotFoundError, OSError, ValueError) as exc:
        _fail_usage(f"--tokenizer {tokenizer}: {exc}")

    options = Options(
        data_dir=data_dir,
        tokenizer=tokenizer,
        max_tokens=max_tokens,
        targets=targets,
        decontaminate=list(decontaminate),
        ngram=ngram,
        near_dup=not no_near_dup,
        near_dup_threshold=near_dup_threshold,
        workers=workers,
        max_line_bytes=max_line_bytes,
        strict_grounding=strict_grounding,
        split=split,
    )
    cluster = ClusterOptions(executor=executor, ray_address=ray_address)
    with (
        executor_for(cluster, None) as options.executor,
        Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            transient=True,
        ) as progress,
    ):
        task = progress.add_task("validating", total=None)
        report = run_validation(
            options, lambda done, total: progress.update(task, completed=done, total=total)
        )
    fixed = write_fixed(report, data_dir, fix, max_line_bytes) if fix is not None else None
    if report_path is not None:
        report.write(report_path)
    _print_report(report, fixed, fix)
    raise typer.Exit(1 if report.errors else 0)
