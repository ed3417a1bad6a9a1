"""``agentic eval``: run models as agents on the same held-out tasks and compare what they resolve.

agentic eval --model oracle --model hf:out/sft_tiny --count 8 --out eval/
agentic eval --model openai:my-sft --base-url http://localhost:8000/v1 --count 200 --samples 4 --out eval/
agentic eval --model anthropic:claude-sonnet-4-5 --model openai:my-sft --base-url URL --count 100
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Annotated

import typer

from agentic_pipeline.commands import app
from agentic_pipeline.commands.options import (
    ClientOptions,
    ClusterOptions,
    RunOptions,
    Shard,
    category_option,
    console,
    count_option,
    executor_for,
    fail,
    grouped,
    open_teacher,
    progress_bars,
    set_logging,
)

MODEL_HELP = (
    "A model to evaluate (repeatable): oracle, anthropic:MODEL, openai:NAME (a checkpoint served by vLLM/SGLang; "
    "with --base-url), or hf:PATH (a local transformers checkpoint, run in-process)."
)


@app.command("eval")
@grouped
def evaluate(
    count: count_option("Held-out tasks to run every model on (split over the categories)."),
    run: RunOptions,
    cluster: ClusterOptions,
    client: ClientOptions,
    model: Annotated[list[str], typer.Option("--model", "-m", help=MODEL_HELP)] = ["oracle"],  # noqa: B006
    category: category_option("coding, debugging, refactoring, devops, or all.") = "all",
    out: Annotated[
        Path, typer.Option("--out", help="Folder for results.jsonl, summary.{json,md}, the chart.")
    ] = Path("eval"),
    samples: Annotated[
        int, typer.Option("--samples", min=1, help="Episodes per task and model (pass@k).")
    ] = 1,
    split: Annotated[
        str, typer.Option("--split", help="Tasks from: eval (held out), train, or all.")
    ] = "eval",
    shard: Shard = "0/1",
    max_steps: Annotated[int, typer.Option("--max-steps", help="Assistant turns per episode.")] = 30,
    tasks_file: Annotated[
        Path | None,
        typer.Option("--tasks", help="JSONL of tasks (mined, synthesized) instead of the built-in pool."),
    ] = None,
) -> None:
    """Run each model on the same tasks through the agent loop, sandbox and verifier; report resolve rates."""
    from agentic_pipeline.agent import RunConfig
    from agentic_pipeline.generate.evaluate import EvalConfig, evaluate, markdown, pick_tasks, slug, summarize
    from agentic_pipeline.generate.trajectories import parse_shard
    from agentic_pipeline.records import TRAJECTORY_CATEGORIES

    set_logging(run.verbose)
    categories = list(TRAJECTORY_CATEGORIES) if category == "all" else [category]
    if any(c not in TRAJECTORY_CATEGORIES for c in categories) or split not in ("eval", "train", "all"):
        fail(
            f"--category {category!r} / --split {split!r}: expected one of {', '.join(TRAJECTORY_CATEGORIES)} or all; eval, train or all"
        )
    models = list(dict.fromkeys(model))
    specs = {m: client.config_for(m) for m in models}  # a bad model spec fails here, before any work
    backend = run.backend()
    try:
        shard_ij = parse_shard(shard)
        pool = _pool(tasks_file, split, backend, categories)
    except (ValueError, OSError) as exc:
        fail(str(exc))
    config = EvalConfig(
        count=count, out=out, workers=run.workers, seed=run.seed, shard=shard_ij, categories=categories, samples=samples,
        run=RunConfig(max_steps=max_steps, backend=backend, seed=run.seed),
    )  # fmt: skip
    with contextlib.ExitStack() as stack:
        teachers = {
            m: stack.enter_context(open_teacher(specs[m], out / "ledger" / slug(m), seed=run.seed))
            for m in models
        }
        tasks = asyncio.run(pick_tasks(pool, config))
        if not tasks:
            fail(f"no valid task in the {split} split for {', '.join(categories)}")
        console().print(f"{len(tasks)} tasks x {samples} sample(s) x {len(models)} model(s)", highlight=False)
        config.executor = stack.enter_context(executor_for(cluster, backend))
        with progress_bars(None, label_width=24) as progress:
            try:
                asyncio.run(evaluate(config, tasks, teachers, progress))
            except ValueError as exc:  # a Ray node that lacks what the tasks need: the message says which
                fail(str(exc))
    summary = summarize(out, models, samples)
    families = sorted({f for by in summary["models"].values() for f in by if f != "all"})
    typer.echo(markdown(summary, families, samples))
    console().print(f"wrote {out}/results.jsonl, summary.json, summary.md, resolve_rate.png", highlight=False)


def _pool(tasks_file: Path | None, split: str, backend: str, categories: list[str]) -> list:
    from agentic_pipeline.tasks.catalog import candidates, load_task_file
    from agentic_pipeline.tasks.sources import all_sources
    from agentic_pipeline.tasks.validity import usable_sources

    if tasks_file is not None:
        pool = load_task_file(tasks_file)
    else:
        sources = asyncio.run(usable_sources(all_sources(), backend))
        pool = [t for family in categories for t in candidates(family, sources)]  # only the ones asked for
    return pool if split == "all" else [t for t in pool if t.split == split]
