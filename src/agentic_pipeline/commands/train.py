"""``agentic train sft|dpo|inspect --config C``: train with TRL on the rendered data, or show what will be trained."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.logging import RichHandler

from agentic_pipeline.commands import train_app

console = Console()
err = Console(stderr=True)

CONFIG_HELP = "Training YAML (see configs/): model, data, method settings, TRL arguments."
SET_HELP = "Override a config field, e.g. --set training.max_steps=20 (repeatable; the value is YAML)."


def _log_to_console() -> None:
    handler = RichHandler(console=err, show_path=False, show_time=False)
    logger = logging.getLogger("agentic_pipeline")
    if not any(isinstance(h, RichHandler) for h in logger.handlers):
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def _load(config: Path, sets: list[str], data_dir: Path | None = None) -> Any:
    from agentic_pipeline.train.config import load_config, parse_override

    overrides = dict(parse_override(s) for s in sets)
    if data_dir is not None:
        overrides["data.data_dir"] = str(data_dir)
    return load_config(config, overrides)


def _run_guarded(fn: Callable[[], Any]) -> Any:
    """Run ``fn``; a user's mistake (config, data, machine) becomes one red sentence and exit code 1."""
    from agentic_pipeline.render import TemplateError
    from agentic_pipeline.train.config import ConfigError
    from agentic_pipeline.train.data import DataError
    from agentic_pipeline.train.runtime import TrainError

    try:
        return fn()
    except (ConfigError, DataError, TrainError, TemplateError, OSError) as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def _train(method: str, config: Path, sets: list[str]) -> None:
    from agentic_pipeline.train.runtime import maybe_relaunch, preflight

    _log_to_console()
    cfg = _run_guarded(lambda: _load(config, sets))
    if cfg.method != method:
        err.print(
            f"[red]error:[/red] {config} is a {cfg.method} config; run `agentic train {cfg.method}`",
            soft_wrap=True,
        )
        raise typer.Exit(1)
    _run_guarded(lambda: preflight(cfg))
    extra = [arg for s in sets for arg in ("--set", s)]
    code = maybe_relaunch(cfg, method, extra)
    if code is not None:
        raise typer.Exit(code)
    if method == "sft":
        from agentic_pipeline.train.sft import run_sft as run
    else:
        from agentic_pipeline.train.dpo import run_dpo as run
    summary = _run_guarded(lambda: run(cfg))
    losses = summary["losses"]
    console.print(
        f"[green]done[/green]: {summary['steps']} steps, loss {losses[0]:.4f} -> {losses[-1]:.4f}; "
        f"model saved to {summary['output_dir']}"
        if losses
        else f"[green]done[/green]: model saved to {summary['output_dir']}"
    )


@train_app.command()
def sft(
    config: Path = typer.Option(..., "--config", "-c", help=CONFIG_HELP),
    sets: list[str] = typer.Option([], "--set", help=SET_HELP),
) -> None:
    """Supervised fine-tuning with TRL's SFTTrainer: loss on assistant turns only, packed, padding-free."""
    _train("sft", config, sets)


@train_app.command()
def dpo(
    config: Path = typer.Option(..., "--config", "-c", help=CONFIG_HELP),
    sets: list[str] = typer.Option([], "--set", help=SET_HELP),
) -> None:
    """DPO with TRL's DPOTrainer from the SFT checkpoint; only the continuations' assistant turns train."""
    _train("dpo", config, sets)


@train_app.command()
def inspect(
    config: Path = typer.Option(..., "--config", "-c", help=CONFIG_HELP),
    n: int = typer.Option(3, "--n", min=1, help="How many samples to print."),
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Use this data directory instead of the config's."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the data report as JSON instead of samples."),
    sets: list[str] = typer.Option([], "--set", help=SET_HELP),
) -> None:
    """Print rendered samples with the trained tokens in green, and the share of tokens that train."""
    from rich.rule import Rule

    from agentic_pipeline.train.inspect import CONTEXT_STYLE, TRAINED_STYLE, inspect_samples
    from agentic_pipeline.train.runtime import load_tokenizer_for

    cfg = _run_guarded(lambda: _load(config, sets, data_dir))
    tokenizer = _run_guarded(lambda: load_tokenizer_for(cfg))
    items, report = _run_guarded(lambda: inspect_samples(cfg, tokenizer, n))
    if as_json:
        console.print_json(json.dumps(report.as_dict()))
        return
    for item in items:
        console.print(Rule(f"{item.title}: {item.trained}/{item.tokens} tokens trained"))
        console.print(item.text, highlight=False, markup=False, soft_wrap=True)
    console.print(Rule())
    console.print(
        f"[{TRAINED_STYLE}]trained[/{TRAINED_STYLE}] / [{CONTEXT_STYLE}]context (no loss)[/{CONTEXT_STYLE}]"
    )
    for line in report.lines():
        console.print(line, highlight=False)
