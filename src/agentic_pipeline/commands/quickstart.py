"""``agentic quickstart``: the whole pipeline, small, offline, on a CPU, in a few minutes.

    agentic quickstart --out quickstart/

Each data stage runs as the same command a user would type (printed before it runs), so the
quickstart is also a tour of the CLI: trajectories with the oracle teacher in the bubblewrap
sandbox, the shipped sample of "How do I X?" data converted, preference pairs with measured
evidence, validation of everything; then SFT and DPO of a tiny Qwen2-architecture model built
locally, and a short report (numbers, loss curves as PNG, what the model now generates) with
``report.html`` beside it (``agentic report``: the records in a viewer, rejects, findings, plots).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from agentic_pipeline.commands import app

console = Console()


def _sample_instructions() -> Path:
    return Path(str(resources.files("agentic_pipeline").joinpath("quickstart_data/instructions")))


def _stages(data: Path, out: Path, count: int, pairs: int, workers: int) -> list[tuple[str, list[str]]]:
    return [
        (
            "tool-use trajectories (oracle teacher, real sandbox, verified)",
            [
                "generate",
                "trajectories",
                "--count",
                str(count),
                "--category",
                "all",
                "--out",
                str(data),
                "--workers",
                str(workers),
            ],
        ),
        (
            "multi-turn coding sessions (each request verified)",
            ["generate", "conversations", "--count", "2", "--out", str(data), "--workers", str(workers)],
        ),
        (
            "problem-solving reasoning (grounded in real test output, fix verified)",
            ["generate", "reasoning", "--count", "3", "--category", "problem_solving", "--out", str(data)],
        ),
        (
            "your instruction data, converted (a shipped sample)",
            ["convert", "--input", str(_sample_instructions()), "--output", str(data / "domain")],
        ),
        (
            "preference pairs with measured evidence",
            ["generate", "preferences", "--count", str(pairs), "--category", "all", "--out", str(data)],
        ),
        (
            "validation of the whole dataset",
            ["validate", "--data-dir", str(data), "--report", str(out / "validation.json")],
        ),
    ]


def _run_stage(title: str, args: list[str]) -> float:
    console.rule(f"[bold]{title}")
    console.print(f"[dim]$ agentic {' '.join(args)}")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "agentic_pipeline.cli", *args], check=False)
    if done.returncode != 0:
        console.print(f"[red]stage failed (exit code {done.returncode}): agentic {' '.join(args)}")
        raise typer.Exit(done.returncode)
    return time.monotonic() - started


def _count_lines(folder: Path) -> dict[str, int]:
    counts = {}
    for path in sorted(folder.rglob("*.jsonl")):
        rel = path.relative_to(folder)
        if "rejected" not in rel.parts:
            counts[str(rel)] = sum(1 for line in path.open("rb") if line.strip())
    return counts


def _write_report(
    out: Path, counts: dict[str, int], timings: dict[str, float], training: dict[str, Any]
) -> Path:
    lines = ["# agentic-pipeline quickstart report", "", "## Data", "", "| file | records |", "|---|---|"]
    lines += [f"| `{name}` | {n} |" for name, n in counts.items()]
    validation = (
        json.loads((out / "validation.json").read_text()) if (out / "validation.json").exists() else {}
    )
    findings = validation.get("findings", [])
    by_severity: dict[str, int] = {}
    for finding in findings:
        by_severity[finding["severity"]] = by_severity.get(finding["severity"], 0) + 1
    lines += [
        "",
        f"Validation findings by severity: {by_severity or 'none'} (details: `validation.json`).",
        "",
    ]
    lines += ["## Stage times", "", "| stage | seconds |", "|---|---|"]
    lines += [f"| {name} | {seconds:.1f} |" for name, seconds in timings.items()]
    if training:
        lines += ["", "## Training (tiny Qwen2-architecture model, CPU)", ""]
        for stage in ("sft", "dpo"):
            numbers = training.get(stage)
            if not numbers or not numbers["losses"]:
                lines.append(f"- {stage.upper()}: skipped (no data for it)")
                continue
            line = (
                f"- {stage.upper()}: {numbers['steps']} steps, "
                f"loss {numbers['losses'][0]:.3f} -> {numbers['losses'][-1]:.3f}"
            )
            if numbers.get("reward_margins"):
                line += f", reward margin {numbers['reward_margins'][0]:.3f} -> {numbers['reward_margins'][-1]:.3f}"
            lines.append(line)
        if training.get("dpo", {}) and training["dpo"].get("trained_turns"):
            lines.append(f"- DPO trains: {training['dpo']['trained_turns']}")
        lines.append("")
        lines += [f"![{name}]({Path(p).relative_to(out)})" for name, p in training.get("plots", {}).items()]
        lines += [
            "",
            "## What the tiny model generates now",
            "",
            "A model of a few hundred thousand parameters trained for a minute learns only the",
            "shape of the data (turn structure, tool-call syntax); the point is that every stage ran.",
            "",
        ]
        for sample in training.get("samples", []):
            lines += [
                f"**{sample['record_id']}**, after: {str(sample['prompt_tail'])[:300]}",
                "",
                "```",
                str(sample["generated"])[:800],
                "```",
                "",
            ]
    if (out / "eval" / "summary.md").exists():
        lines += [
            "## The tiny models as agents, on held-out tasks",
            "",
            "The same tasks for each model, through the agent loop, sandbox and verifier (`agentic eval`).",
            "A tiny model resolves nothing; what it can show honestly is the shape of its turns: malformed",
            "tool calls per assistant turn (format errors/turn) before and after training.",
            "",
            (out / "eval" / "summary.md").read_text(),
            "![resolve rate](eval/resolve_rate.png)",
            "",
        ]
    lines += ["", "The records themselves, rejects, findings and plots: open `report.html` in a browser.", ""]
    path = out / "REPORT.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def _write_page(out: Path, data: Path) -> Path:
    """``report.html`` beside REPORT.md (``agentic report``), with the eval when it ran."""
    from agentic_pipeline.report import ReportOptions, build
    from agentic_pipeline.train.tiny_train import tiny_config

    eval_dir = out / "eval" if (out / "eval" / "summary.json").is_file() else None
    options = ReportOptions(
        data_dir=data,
        out=out / "report.html",
        eval_dir=eval_dir,
        validation=out / "validation.json",
        max_length=tiny_config("sft").data.max_length,  # what the quickstart trains with
    )
    return build(options)["path"]


def _checkpoints(train_dir: Path) -> list[Path]:
    """The untrained tiny model (saved here for the comparison), then the SFT and DPO checkpoints."""
    from agentic_pipeline.tiny import build_tiny_model, load_tokenizer

    base = train_dir / "base"
    if not (base / "config.json").exists():
        build_tiny_model(load_tokenizer(None), seed=0, out_dir=base)
    return [base, *(d for d in (train_dir / "sft", train_dir / "dpo") if (d / "config.json").exists())]


@app.command()
def quickstart(
    out: Path = typer.Option(Path("quickstart"), "--out", help="Folder for the data, models and report."),
    count: int = typer.Option(12, min=4, help="Trajectories to generate (split over the four families)."),
    pairs: int = typer.Option(
        9, min=3, help="Preference pairs to generate (split over the three categories)."
    ),
    workers: int = typer.Option(2, min=1, help="Episodes run at once."),
    train: bool = typer.Option(True, help="Train the tiny model (SFT then DPO) after the data stages."),
) -> None:
    """Run the whole pipeline small and offline: generate, convert, validate, SFT, DPO, report."""
    out.mkdir(parents=True, exist_ok=True)
    data = out / "data"
    timings = {}
    for title, args in _stages(data, out, count, pairs, workers):
        timings[title.split(" (")[0]] = _run_stage(title, args)
    training: dict[str, Any] = {}
    if train:
        console.rule("[bold]SFT then DPO of a tiny model built locally")
        from agentic_pipeline.train.tiny_train import run_quickstart_training

        started = time.monotonic()
        training = run_quickstart_training(data, out / "train")
        timings["training (SFT + DPO)"] = time.monotonic() - started
        models = [f"hf:{path}" for path in _checkpoints(out / "train")]
        args = ["eval", *(a for m in models for a in ("--model", m)), "--count", "4", "--split", "eval",
                "--max-steps", "4", "--max-new-tokens", "64", "--out", str(out / "eval"), "--workers", str(workers)]  # fmt: skip
        title = "held-out evaluation: the untrained, SFT and DPO tiny models as agents"
        timings["held-out evaluation"] = _run_stage(title, args)
    report = _write_report(out, _count_lines(data), timings, training)
    page = _write_page(out, data)
    console.rule("[bold green]done")
    console.print(f"report: {report}; the data, rejects, findings and plots in a browser: {page}")
