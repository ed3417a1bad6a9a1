"""``agentic eval``: what a model does as an agent, on held-out tasks, measured by the same verifiers.

Every model (a teacher spec: ``oracle``, ``anthropic:MODEL``, ``openai:NAME`` for a served checkpoint,
``hf:PATH`` for a local one) runs the same N tasks, K samples each, through the same agent loop,
sandbox and verifier that make the training data, in the generators' worker pool. The tasks are the
first valid ones of each category in a seeded order, drawn from the held-out split by default, so
every model faces exactly the same tasks.

Written under ``--out DIR``:

- ``results.jsonl``: one row per episode (model, task, family, source, sample, verified,
  exit_status, steps, tool_call_turns, format_errors, tokens, seconds): the resume state, too: a row means done;
- ``trajectories/<model>.jsonl``: every episode's full record, verified or not;
- ``summary.json`` / ``summary.md`` / ``resolve_rate.png`` (``summarize``): per model and family the
  resolve rate with a 95% Wilson interval, pass@k, the well-formed tool calls and the format errors
  (malformed calls) per assistant turn, exit-status shares, mean steps and tokens; models side by side, paired by task,
  with an exact McNemar test of the difference.

A kill -9 loses at most the episodes in flight: rows are whole fsync'd lines, and a re-run skips
every (model, task, sample) already in ``results.jsonl``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from agentic_pipeline.agent import RunConfig, run_episode
from agentic_pipeline.generate.pool import Counts, Done, Job, ProgressFn, RunnerConfig, fill
from agentic_pipeline.generate.trajectories import order, split_count
from agentic_pipeline.jsonl import JsonlAppender, lenient_rows
from agentic_pipeline.records import TRAJECTORY_CATEGORIES, dump_record
from agentic_pipeline.tasks.base import Task
from agentic_pipeline.tasks.validity import task_is_valid
from agentic_pipeline.teacher import Teacher


@dataclass(kw_only=True)
class EvalConfig(RunnerConfig):
    count: int = 20  # tasks, split over the categories
    out: Path = Path("eval")
    categories: list[str] = field(default_factory=lambda: list(TRAJECTORY_CATEGORIES))
    samples: int = 1  # episodes per task and model (pass@k)
    run: RunConfig = field(default_factory=RunConfig)


def slug(model: str) -> str:
    """A file name for a model spec (``hf:/ckpt/sft`` -> ``hf_ckpt_sft-<hash>``)."""
    clean = re.sub(r"[^A-Za-z0-9.]+", "_", model).strip("_")[-60:]
    return f"{clean}-{hashlib.sha256(model.encode()).hexdigest()[:6]}"


async def pick_tasks(pool: list[Task], config: EvalConfig) -> list[Task]:
    """The first valid tasks of each category in the seeded order: the same for every model."""
    chosen: list[Task] = []
    for category, n in split_count(config.count, config.categories).items():
        found = 0
        for task in order([t for t in pool if t.family == category], config.seed, config.shard):
            if found >= n:
                break
            if await task_is_valid(task, config.run.backend):
                chosen.append(task)
                found += 1
    return chosen


def _row(model: str, task: Task, sample: int, record: Any) -> dict[str, Any]:
    meta = record.metadata
    usage = getattr(meta, "usage", None) or {}
    usage = usage if isinstance(usage, dict) else usage.model_dump()
    return {
        "model": model,
        "task": task.id,
        "family": task.family,
        "source": task.source,
        "sample": sample,
        "verified": bool(record.outcome.verified),
        "exit_status": record.outcome.exit_status,
        "steps": sum(1 for m in record.messages if m.role == "assistant"),
        "tool_call_turns": sum(1 for m in record.messages if m.role == "assistant" and m.tool_calls),
        "format_errors": int(getattr(meta, "format_errors", 0) or 0),
        "tokens": int(usage.get("input_tokens", 0)) + int(usage.get("output_tokens", 0)),
        "seconds": float(getattr(meta, "duration_s", 0.0) or 0.0),
    }


async def evaluate(
    config: EvalConfig, tasks: list[Task], teachers: dict[str, Teacher], progress: ProgressFn | None = None
) -> list[Counts]:
    """Run every model on ``tasks`` (``samples`` each); returns one ``Counts`` per model (kept = verified)."""
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(max_workers=max(8, config.workers * 2))
    )
    config.out.mkdir(parents=True, exist_ok=True)
    results_path = config.out / "results.jsonl"
    done = {(r["model"], r["task"], r["sample"]) for r in lenient_rows(results_path) if "model" in r}
    config.executor.require_paths(t.base for t in tasks)
    results = JsonlAppender(results_path)
    out: list[Counts] = []
    try:
        for model, teacher in teachers.items():
            finished = [k for k in done if k[0] == model]
            counts = Counts(model, None, skipped=len(finished))
            if progress:
                progress(counts)
            policy = config.executor.policy(teacher)
            path = config.out / "trajectories" / f"{slug(model)}.jsonl"
            written = {r.get("id") for r in lenient_rows(path)}  # a kill between the two appends: not twice
            trajectories = JsonlAppender(path)

            def write(
                task: Task,
                sample: int,
                record: Any,
                model: str = model,
                trajectories: Any = trajectories,
                written: set[Any] = written,
            ) -> Done:
                obj = dump_record(record)
                obj["id"] = f"{record.id}-s{sample}"  # one record per sample
                obj["metadata"]["eval_sample"] = sample
                if obj["id"] not in written:  # the record first: a row in results.jsonl means it is on disk
                    trajectories.append(obj)
                results.append({**_row(model, task, sample, record), "record": obj["id"]})
                return Done(obj["id"], bool(record.outcome.verified))

            jobs = (
                Job(
                    f"eval:{model}:{t.id}:{k}",
                    partial(run_episode, t, policy, config.run),  # here or on a Ray node
                    write=partial(write, t, k),
                )
                for t in tasks
                for k in range(config.samples)
                if (model, t.id, k) not in done
            )
            try:
                out.append(
                    await fill(
                        counts,
                        jobs,
                        workers=config.workers,
                        teacher=teacher,
                        progress=progress,
                        executor=config.executor,
                    )
                )
            finally:
                trajectories.close()
    finally:
        results.close()
    return out


# ----------------------------------------------------------------------------- the summary


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion."""
    if n == 0:
        return 0.0, 0.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def pass_at_k(n: int, c: int, k: int) -> float:
    """The unbiased pass@k of one task with ``n`` samples of which ``c`` passed (Chen et al., 2021)."""
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def mcnemar_p(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value for ``b`` tasks only model A solved and ``c`` only model B solved."""
    n = b + c
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(0, min(b, c) + 1)) / 2**n
    return min(1.0, 2 * tail)


def _stats(rows: list[dict[str, Any]], k: int) -> dict[str, Any]:
    n = len(rows)
    solved = sum(r["verified"] for r in rows)
    low, high = wilson(solved, n)
    per_task: dict[str, list[bool]] = {}
    for r in rows:
        per_task.setdefault(r["task"], []).append(r["verified"])
    statuses: dict[str, int] = {}
    for r in rows:
        statuses[r["exit_status"]] = statuses.get(r["exit_status"], 0) + 1
    steps = sum(r["steps"] for r in rows)
    return {
        "episodes": n,
        "tasks": len(per_task),
        "resolved": solved,
        "resolve_rate": solved / n if n else 0.0,
        "ci95": [low, high],
        f"pass@{k}": (
            sum(pass_at_k(len(v), sum(v), k) for v in per_task.values()) / len(per_task) if per_task else 0.0
        ),
        "format_error_rate": sum(r["format_errors"] for r in rows) / max(1, steps),
        # assistant turns with a well-formed (parsed, schema-valid) tool call: what a tiny model can show
        "tool_call_rate": sum(r.get("tool_call_turns", 0) for r in rows) / max(1, steps),
        "exit_status": {s: c / n for s, c in sorted(statuses.items())},
        "mean_steps": steps / n if n else 0.0,
        "mean_tokens": sum(r["tokens"] for r in rows) / n if n else 0.0,
    }


def summarize(out: Path, models: list[str], samples: int = 1) -> dict[str, Any]:
    """``summary.json``, ``summary.md`` and ``resolve_rate.png`` from ``results.jsonl``; returns the summary."""
    rows = [r for r in lenient_rows(out / "results.jsonl") if r.get("model") in models]
    families = sorted({r["family"] for r in rows})
    summary: dict[str, Any] = {"models": {}, "pairs": []}
    for model in models:
        mine = [r for r in rows if r["model"] == model]
        summary["models"][model] = {
            "all": _stats(mine, samples),
            **{f: _stats([r for r in mine if r["family"] == f], samples) for f in families},
        }
    for i, a in enumerate(models):
        for b in models[i + 1 :]:
            solved = {m: {} for m in (a, b)}
            for r in rows:
                if r["model"] in solved:
                    solved[r["model"]].setdefault(r["task"], []).append(r["verified"])
            shared = sorted(set(solved[a]) & set(solved[b]))
            wins = sum(1 for t in shared if any(solved[a][t]) and not any(solved[b][t]))
            losses = sum(1 for t in shared if any(solved[b][t]) and not any(solved[a][t]))
            rate = {m: sum(any(solved[m][t]) for t in shared) / max(1, len(shared)) for m in (a, b)}
            p = mcnemar_p(wins, losses)
            summary["pairs"].append(
                {
                    "a": a,
                    "b": b,
                    "tasks": len(shared),
                    "a_rate": rate[a],
                    "b_rate": rate[b],
                    "difference": rate[a] - rate[b],
                    "only_a": wins,
                    "only_b": losses,
                    "p_value": p,
                    "significant": p < 0.05,
                }  # fmt: skip
            )
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    (out / "summary.md").write_text(markdown(summary, families, samples))
    _chart(summary, families, out / "resolve_rate.png")
    return summary


def markdown(summary: dict[str, Any], families: list[str], samples: int = 1) -> str:
    lines = [
        f"| model | family | tasks | episodes | resolved | 95% CI | pass@{samples} | tool calls/turn | "
        "format errors/turn | steps | tokens |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for model, by_family in summary["models"].items():
        for family in ["all", *families]:
            s = by_family.get(family)
            if not s or not s["episodes"]:
                continue
            lo, hi = s["ci95"]
            lines.append(
                f"| {model} | {family} | {s['tasks']} | {s['episodes']} | {s['resolve_rate']:.1%} | "
                f"{lo:.0%}-{hi:.0%} | {s[f'pass@{samples}']:.1%} | {s['tool_call_rate']:.2f} | {s['format_error_rate']:.2f} | "
                f"{s['mean_steps']:.1f} | {s['mean_tokens']:.0f} |"
            )
    if summary["pairs"]:
        lines += [
            "",
            "| A | B | tasks | A solves | B solves | A - B | only A | only B | p (McNemar) |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for p in summary["pairs"]:
            mark = " (significant)" if p["significant"] else ""
            lines.append(
                f"| {p['a']} | {p['b']} | {p['tasks']} | {p['a_rate']:.1%} | {p['b_rate']:.1%} | "
                f"{p['difference']:+.1%} | {p['only_a']} | {p['only_b']} | {p['p_value']:.3f}{mark} |"
            )
    return "\n".join(lines) + "\n"


def _chart(summary: dict[str, Any], families: list[str], path: Path) -> None:
    """Resolve rate per family, one bar per model, with the Wilson interval as error bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    models = list(summary["models"])
    groups = [*families, "all"]
    width = 0.8 / max(1, len(models))
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(groups)), 3.6))
    for i, model in enumerate(models):
        stats = [summary["models"][model].get(g) or {"resolve_rate": 0, "ci95": [0, 0]} for g in groups]
        rates = [s["resolve_rate"] for s in stats]
        err = [[max(0.0, r - s["ci95"][0]) for r, s in zip(rates, stats, strict=True)],
               [max(0.0, s["ci95"][1] - r) for r, s in zip(rates, stats, strict=True)]]  # fmt: skip
        xs = [x + i * width for x in range(len(groups))]
        ax.bar(xs, rates, width, yerr=err, capsize=3, label=model[-40:])
    ax.set_xticks([x + width * (len(models) - 1) / 2 for x in range(len(groups))], groups)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("resolve rate (95% CI)")
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
