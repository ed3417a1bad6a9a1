"""Build the report: collect, count tokens, draw, pick the viewer's records, render the page."""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from agentic_pipeline.layout import TARGETS
from agentic_pipeline.report import costs, plots, tokens, viewer
from agentic_pipeline.report.collect import (
    Collected,
    Row,
    attach_findings,
    collect,
    load_validation,
    read_rows,
)

Progress = Callable[[str, int, int], None]


@dataclass
class ReportOptions:
    data_dir: Path
    out: Path
    eval_dir: Path | None = None
    validation: Path | None = None  # default: validation.json in the data folder or its parent
    tokenizer: str | None = None  # None: estimated counts (marked approximate)
    max_length: int = 4096  # the training max_length marked on the histograms (configs/sft_32b.yaml)
    max_records: int = 2000  # records the viewer holds; a larger folder is sampled
    seed: int = 0


def default_validation(data_dir: Path) -> Path | None:
    for folder in (data_dir, data_dir.parent):
        if (folder / "validation.json").is_file():
            return folder / "validation.json"
    return None


def _token_stats(values: list[int], max_length: int) -> dict[str, Any]:
    a = np.asarray(values) if values else np.zeros(1)
    return {
        "total": int(a.sum()),
        "mean": float(a.mean()),
        "median": float(np.median(a)),
        "p95": float(np.percentile(a, 95)),
        "max": int(a.max()),
        "over": int((a > max_length).sum()),
        "over_share": float((a > max_length).mean()),
    }


def _overview(rows: list[Row], max_length: int) -> list[dict[str, Any]]:
    """Per kind: target, kept, rejected, tokens; per category the same."""
    kinds: dict[str, dict[str, Any]] = {}
    for kind in [*TARGETS, *sorted({r.kind for r in rows} - set(TARGETS))]:
        mine = [r for r in rows if r.kind == kind]
        cats: dict[str, list[Row]] = defaultdict(list)
        for r in mine:
            cats[r.category].append(r)
        kept = [r for r in mine if not r.rejected]
        kinds[kind] = {
            "kind": kind,
            "target": TARGETS.get(kind),
            "kept": len(kept),
            "rejected": len(mine) - len(kept),
            "tokens": _token_stats([r.tokens for r in kept], max_length) if kept else None,
            "categories": [
                {
                    "category": cat,
                    "kept": sum(not r.rejected for r in items),
                    "rejected": sum(r.rejected for r in items),
                    "tokens": _token_stats([r.tokens for r in items if not r.rejected], max_length)
                    if any(not r.rejected for r in items)
                    else None,
                }
                for cat, items in sorted(cats.items())
            ],
        }
    return list(kinds.values())


def _plots(c: Collected, opts: ReportOptions, approximate: bool, eval_summary: dict | None) -> dict[str, str]:
    rows = c.rows
    by_kind: dict[str, list[int]] = {kind: [] for kind in TARGETS}
    for r in rows:
        if not r.rejected and r.tokens:
            by_kind.setdefault(r.kind, []).append(r.tokens)
    agentic = [r for r in rows if r.kind in ("trajectory", "conversation")]
    margins: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        if r.kind == "preference" and not r.rejected and r.margin is not None:
            margins[r.category].append(r.margin)
    exits = [r for r in rows if r.exit_status]
    drawn = {
        "Token lengths per kind": plots.token_histograms(by_kind, opts.max_length, approximate),
        "Steps per trajectory and session": plots.steps_histogram(
            [r.steps for r in agentic if not r.rejected], [r.steps for r in agentic if r.rejected]
        ),
        "Tool-use mix (calls, all records)": plots.bars(c.tools, "tool calls"),
        "Exit statuses": plots.exit_statuses(
            Counter(r.exit_status for r in exits if not r.rejected),
            Counter(r.exit_status for r in exits if r.rejected),
        ),
        "Preference margins per category": plots.margins(margins, c.thresholds),
        "Eval resolve rates": plots.resolve_rates((eval_summary or {}).get("models", {})),
    }
    return {title: svg for title, svg in drawn.items() if svg}


def _facets(rows: list[Row]) -> dict[str, dict[str, int]]:
    """Complete counts (every record of the folder) for the viewer's filters."""
    return {
        "kind": dict(Counter(r.kind for r in rows).most_common()),
        "category": dict(Counter(r.category for r in rows).most_common()),
        "source": dict(Counter(r.source for r in rows).most_common()),
        "status": dict(Counter("rejected" if r.rejected else "kept" for r in rows).most_common()),
        "findings": dict(
            Counter("with findings" if r.findings else "no findings" for r in rows).most_common()
        ),
    }


def _validation_view(validation: dict[str, Any] | None) -> dict[str, Any] | None:
    if validation is None:
        return None
    by_check: dict[str, dict[str, int]] = {}
    for f in validation.get("findings", []):
        slot = by_check.setdefault(str(f.get("check")), {"error": 0, "warning": 0})
        slot[str(f.get("severity"))] = slot.get(str(f.get("severity")), 0) + 1
    summary = validation.get("summary", {})
    return {
        "by_check": dict(sorted(by_check.items())),
        "errors": sum(v.get("error", 0) for v in by_check.values()),
        "warnings": sum(v.get("warning", 0) for v in by_check.values()),
        "records": summary.get("records"),
        "grounding": summary.get("grounding"),
        "tokenizer": summary.get("tokenizer"),
    }


def _eval(eval_dir: Path | None) -> dict[str, Any] | None:
    if eval_dir is None:
        return None
    path = eval_dir / "summary.json"
    if not path.is_file():
        raise ValueError(f"--eval {eval_dir}: no summary.json (write one with agentic eval --out {eval_dir})")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}:{exc.lineno}: not JSON ({exc.msg})") from None


def _count_tokens(
    c: Collected, opts: ReportOptions, records, tok, progress: Progress | None
) -> dict[str, Any]:
    if opts.tokenizer is None:
        return {"ratios": tokens.estimate(c.rows, records, tok), "token_failures": 0}
    report = (lambda d, t: progress("tokenizing", d, t)) if progress else None
    return {"ratios": {}, "token_failures": tokens.count_exact(c.rows, records, tok, report)}


def _viewer_entries(c: Collected, opts: ReportOptions, records, tok, by_place: dict) -> list[dict[str, Any]]:
    """The viewer's records, trajectories first, each with its findings (and loss spans when exact)."""
    order = {kind: i for i, kind in enumerate(TARGETS)}
    picked = (c.rows[i] for i in viewer.select(c.rows, opts.max_records, opts.seed))
    chosen = sorted(picked, key=lambda r: (order.get(r.kind, len(order)), r.file, r.line))
    entries = []
    for row, obj in zip(chosen, records(chosen), strict=True):
        loss = None if opts.tokenizer is None else tokens.loss_view(obj, tok)
        entries.append(viewer.entry(row, obj, by_place.get((row.file, row.line), []), loss))
    return entries


def _summary(c: Collected, opts: ReportOptions, data_dir: Path) -> dict[str, Any]:
    """Counts, rejections, costs and teachers over every record."""
    cost_rows = costs.ledger_costs(
        costs.find_ledgers([data_dir, opts.eval_dir]), {r.id: r.kind for r in c.rows}, data_dir
    )
    reasons: dict[str, Counter[str]] = defaultdict(Counter)
    for r in c.rows:
        if r.rejected:
            reasons[r.kind][r.reason or "?"] += 1
    return {
        "records": len(c.rows),
        "kept": sum(not r.rejected for r in c.rows),
        "rejected": sum(r.rejected for r in c.rows),
        "files": c.files,
        "bytes": c.bytes,
        "overview": _overview(c.rows, opts.max_length),
        "reasons": {k: v.most_common() for k, v in sorted(reasons.items())},
        "costs": cost_rows,
        "cost_total": sum(r.usd for r in cost_rows),
        "teachers": Counter(r.teacher for r in c.rows if not r.rejected).most_common(),
        "facets": _facets(c.rows),
        "unreadable": c.unreadable,
    }


def build(opts: ReportOptions, progress: Progress | None = None) -> dict[str, Any]:
    """Write the page to ``opts.out``; returns what it holds and how long it took."""
    from agentic_pipeline.report.page import render_page
    from agentic_pipeline.tiny import load_tokenizer

    started = time.perf_counter()
    data_dir = Path(opts.data_dir)
    validation_path = opts.validation or default_validation(data_dir)
    validation = load_validation(validation_path)
    eval_summary = _eval(opts.eval_dir)
    c = collect(data_dir, (lambda done, total: progress("reading", done, total)) if progress else None)
    by_place = attach_findings(c.rows, validation)

    def records(rows: list[Row]) -> list[dict[str, Any]]:
        return read_rows(data_dir, rows)

    tok = load_tokenizer(opts.tokenizer)
    counted = _count_tokens(c, opts, records, tok, progress)
    entries = _viewer_entries(c, opts, records, tok, by_place)
    html = render_page(
        {
            **_summary(c, opts, data_dir),
            **counted,
            "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "data_dir": str(data_dir),
            "eval_dir": str(opts.eval_dir) if opts.eval_dir else None,
            "validation_path": str(validation_path) if validation_path else None,
            "approximate": opts.tokenizer is None,
            "tokenizer": opts.tokenizer,
            "max_length": opts.max_length,
            "validation": _validation_view(validation),
            "eval": eval_summary,
            "plots": _plots(c, opts, opts.tokenizer is None, eval_summary),
            "viewer_count": len(entries),
            "sampled": len(entries) < len(c.rows),
            "payload": viewer.pack(entries),
        }
    )
    out = Path(opts.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    seconds = time.perf_counter() - started
    return {"path": out, "records": len(c.rows), "viewer_records": len(entries), "bytes": out.stat().st_size,
            "seconds": seconds}  # fmt: skip
