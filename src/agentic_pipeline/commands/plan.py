"""``agentic plan --config C [--data-dir D | --tokens N] [--json]``: GPU memory, hours and dollars of a run."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from agentic_pipeline.commands import app

console = Console()
err = Console(stderr=True)


def _plan_table(plan: dict) -> Table:
    mem = plan["memory_per_gpu_gb"]
    table = Table(
        title=f"{plan['method'].upper()} {plan['model']} on {plan['gpus']} x {plan['gpu']}", show_header=False
    )
    rows = [
        ("parameters", f"{plan['params'] / 1e9:.2f} B ({plan['trainable_params'] / 1e9:.3f} B trained)"),
        ("architecture from", plan["architecture_source"]),
        ("tokens", f"{plan['tokens']:.3e} ({plan['epochs']:g} epochs; {plan['tokens_source']})"),
        ("FLOPs", f"{plan['flops']:.3e}"),
        (
            "layout",
            f"ZeRO-{plan['zero_stage']}"
            + (", optimizer offload" if plan["offload_optimizer"] else "")
            + (", parameter offload" if plan["offload_params"] else "")
            + (f", sequence parallel {plan['sequence_parallel']}" if plan["sequence_parallel"] > 1 else "")
            + (", activation offload" if plan["assumptions"]["activation_offloading"] else ""),
        ),
        ("micro-batch", f"{plan['assumptions']['micro_batch_tokens']:,} tokens per GPU step"),
    ]
    rows += [(f"  {k.replace('_', ' ')} (GiB/GPU)", f"{v:.2f}") for k, v in mem.items()]
    rows += [
        ("host RAM per node (GiB)", f"{plan['host_memory_per_node_gb']:.1f}"),
        (
            "fits",
            "[green]yes[/green]"
            if plan["fits"]
            else f"[red]no[/red] (GPU has {plan['gpu_memory_gb']:g} GiB)",
        ),
        (
            "GPU-hours",
            f"{plan['gpu_hours']:.1f} at {100 * plan['assumptions']['mfu']:.0f}% MFU (attention over a mean "
            f"sample of {plan['assumptions']['attention_context']:,.0f} tokens counted)",
        ),
        ("wall hours", f"{plan['wall_hours']:.1f}"),
        ("cost", f"${plan['cost_usd']:,.0f} at ${plan['assumptions']['usd_per_gpu_hour']}/GPU-hour"),
    ]
    for key, value in rows:
        table.add_row(key, value)
    return table


def _options_table(plan: dict) -> Table:
    table = Table(title="other layouts (GiB per GPU)")
    for col in ("ZeRO", "offload", "total", "host/node", "fits"):
        table.add_column(col)
    for o in plan["options"]:
        offload = "params+optim" if o["offload_params"] else "optim" if o["offload_optimizer"] else "-"
        table.add_row(
            str(o["zero_stage"]),
            offload,
            f"{o['total_gb']:.1f}",
            f"{o['host_memory_per_node_gb']:.0f}",
            "yes" if o["fits"] else "no",
        )
    return table


def _context_table(plan: dict) -> Table:
    table = Table(title="smallest number of GPUs per context length (this layout, one row per GPU step)")
    for col in ("context", "GPUs", "sequence parallel", "GiB/GPU"):
        table.add_column(col)
    for row in plan["context_lengths"]:
        if row["gpus"] is None:
            table.add_row(f"{row['max_length']:,}", f"> {plan['gpus_searched']}", "-", "-")
            continue
        table.add_row(
            f"{row['max_length']:,}",
            str(row["gpus"]),
            str(row["sequence_parallel"]),
            f"{row['total_gb']:.1f}",
        )
    return table


@app.command()
def plan(
    config: Path = typer.Option(
        ..., "--config", "-c", help="Training YAML (its plan: section holds GPUs and prices)."
    ),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Count tokens in this data directory."),
    tokens: float | None = typer.Option(None, "--tokens", help="Tokens per epoch, instead of counting them."),
    mfu: float | None = typer.Option(
        None, "--mfu", help="Model FLOPs utilisation, e.g. 0.4 (overrides the config)."
    ),
    usd: float | None = typer.Option(
        None, "--usd-per-gpu-hour", help="Price of one GPU-hour (overrides the config)."
    ),
    gpus: int | None = typer.Option(None, "--gpus-per-node", help="GPUs per node (overrides the config)."),
    nodes: int | None = typer.Option(None, "--nodes", help="Nodes (overrides the config)."),
    as_json: bool = typer.Option(False, "--json", help="Print the plan as one JSON object."),
) -> None:
    """Estimate parameters, GPU memory per device, whether it fits, GPU-hours, wall hours and dollars."""
    from agentic_pipeline.train.config import ConfigError, load_config
    from agentic_pipeline.train.data import DataError
    from agentic_pipeline.train.plan import count_tokens, make_plan

    overrides = {
        key: value
        for key, value in (
            ("plan.mfu", mfu),
            ("plan.usd_per_gpu_hour", usd),
            ("plan.gpus_per_node", gpus),
            ("plan.nodes", nodes),
        )
        if value is not None
    }
    try:
        cfg = load_config(config, overrides)
        context = None
        if tokens is not None:
            n, source = int(tokens), "given (--tokens)"
        else:
            folder = data_dir or cfg.data.data_dir
            if not Path(folder).is_dir():
                raise DataError(
                    f"{folder}: no data directory to count tokens in; pass --data-dir D or --tokens N"
                )
            n, source, context = count_tokens(cfg, Path(folder))
        result = make_plan(cfg, n, source, attention_context=context)
    except (ConfigError, DataError, ValueError, OSError) as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    console.print(_plan_table(result))
    console.print(_options_table(result))
    console.print(_context_table(result))
