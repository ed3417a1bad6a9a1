"""``agentic report``: a dataset report and trajectory viewer as one static HTML page.

    agentic report --data-dir data/ --out report.html
    agentic report --data-dir data/ --eval eval/ --tokenizer Qwen/Qwen2.5-32B-Instruct --max-length 8192 --out report.html

Exit code 0: the page is written; 2: a usage error (a missing folder, an unreadable validation report,
a tokenizer that is not on this machine).
"""

from __future__ import annotations

from pathlib import Path

import typer

from agentic_pipeline.commands import app
from agentic_pipeline.commands.options import console, fail


@app.command()
def report(
    data_dir: Path = typer.Option(
        ..., "--data-dir", help="Folder holding the .jsonl files (the seed's layout)."
    ),
    out: Path = typer.Option(Path("report.html"), "--out", help="The HTML file to write."),
    eval_dir: Path | None = typer.Option(
        None,
        "--eval",
        help="An `agentic eval --out` folder: its resolve rates and their intervals join the page.",
    ),
    validation: Path | None = typer.Option(
        None,
        "--validation",
        help="A report of `agentic validate --report`; default: validation.json in --data-dir or its parent.",
    ),
    tokenizer: str | None = typer.Option(
        None,
        "--tokenizer",
        help="Tokenizer folder or cached hub name for exact token counts and the loss view; default: "
        "estimated counts (marked approximate), seconds instead of minutes for 85K records.",
    ),
    max_length: int = typer.Option(
        4096,
        "--max-length",
        min=1,
        help="The training max_length marked on the length plots (sft_32b: 4096).",
    ),
    max_records: int = typer.Option(
        2000,
        "--max-records",
        min=1,
        help="Records the viewer holds; a larger folder is sampled (counts and plots stay complete).",
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the viewer's sample."),
) -> None:
    """Write one self-contained HTML page (no server, no network): records against targets, tokens,
    rejections and their reasons, validation findings, costs, plots, and a trajectory viewer."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeRemainingColumn

    from agentic_pipeline.report import ReportOptions, build

    if not data_dir.is_dir():
        fail(f"--data-dir {data_dir}: not a folder")
    if eval_dir is not None and not eval_dir.is_dir():
        fail(f"--eval {eval_dir}: not a folder")
    if validation is not None and not validation.is_file():
        fail(f"--validation {validation}: no such file")
    if tokenizer is not None:
        from agentic_pipeline.tiny import load_tokenizer

        try:
            load_tokenizer(tokenizer)
        except (FileNotFoundError, OSError, ValueError) as exc:
            fail(f"--tokenizer {tokenizer}: {exc}")
    options = ReportOptions(
        data_dir=data_dir, out=out, eval_dir=eval_dir, validation=validation, tokenizer=tokenizer,
        max_length=max_length, max_records=max_records, seed=seed,
    )  # fmt: skip
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=True, console=console()) as progress:
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        try:
            result = build(options, update)
        except ValueError as exc:
            fail(str(exc))
    held = (
        f"all {result['records']:,}"
        if result["viewer_records"] == result["records"]
        else (f"{result['viewer_records']:,} of {result['records']:,} (a sample)")
    )
    console().print(
        f"wrote {result['path']} ({result['bytes'] / 1e6:.1f} MB, {result['seconds']:.1f} s); "
        f"the viewer holds {held} records; open it in a browser, no server needed",
        highlight=False,
    )
