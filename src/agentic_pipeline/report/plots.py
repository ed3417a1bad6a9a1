"""The report's plots, drawn with matplotlib as inline SVG (text kept as text: small and searchable).

Why matplotlib and not a JavaScript chart library: it is already a dependency (the eval chart and
the training curves use it), the figures are the same in the page, in a PNG and in a notebook, and
the page needs no script of a third party for them (nothing to vendor, license or keep up to date).
The plots are static; the interactive part of the page is the trajectory viewer.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from typing import Any

import numpy as np

COLORS = {"kept": "#3b7dd8", "rejected": "#d8643b"}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "agentic-report", "font.size": 9})
    return plt


def _svg(fig: Any) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    _plt().close(fig)
    text = buffer.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)  # RDF boilerplate
    return text[text.index("<svg") :]


def token_histograms(tokens: dict[str, list[int]], max_length: int, approximate: bool) -> str | None:
    """One histogram per kind, the training ``max_length`` marked and the share over it in the title."""
    kinds = [k for k, v in tokens.items() if v]
    if not kinds:
        return None
    plt = _plt()
    cols = min(3, len(kinds))
    rows = (len(kinds) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.5 * rows), squeeze=False)
    for ax in axes.flat[len(kinds) :]:
        ax.set_visible(False)
    for ax, kind in zip(axes.flat, kinds, strict=False):
        values = np.asarray(tokens[kind])
        top = max(int(values.max()), max_length) * 1.05
        ax.hist(values, bins=np.linspace(0, top, 41), color=COLORS["kept"])
        ax.axvline(max_length, color="#c0392b", linestyle="--", linewidth=1)
        over = float((values > max_length).mean())
        ax.set_title(f"{kind}: {len(values):,} records, {over:.1%} > {max_length:,}", fontsize=9)
        ax.set_xlabel("tokens" + (" (approx.)" if approximate else ""))
    fig.tight_layout()
    return _svg(fig)


def steps_histogram(kept: list[int], rejected: list[int]) -> str | None:
    if not kept and not rejected:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 2.6))
    top = max([*kept, *rejected]) + 1
    bins = np.arange(0, top + 1) if top <= 40 else np.linspace(0, top, 41)
    ax.hist([kept, rejected], bins=bins, stacked=True, color=[COLORS["kept"], COLORS["rejected"]],
            label=[f"kept ({len(kept):,})", f"rejected ({len(rejected):,})"])  # fmt: skip
    ax.set_xlabel("steps (assistant turns with a tool call)")
    ax.set_ylabel("records")
    ax.legend(frameon=False)
    return _svg(fig)


def bars(counts: Counter[str] | dict[str, int], xlabel: str, top: int = 15) -> str | None:
    """Horizontal bars, largest first (the rest summed as 'other')."""
    if not counts:
        return None
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if len(items) > top:
        items = [*items[: top - 1], ("other", sum(v for _, v in items[top - 1 :]))]
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 0.32 * len(items) + 0.8))
    labels, values = [k for k, _ in items][::-1], [v for _, v in items][::-1]
    ax.barh(labels, values, color=COLORS["kept"])
    total = sum(values)
    for y, v in enumerate(values):
        ax.text(v, y, f" {v:,} ({v / total:.0%})", va="center", fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_xlim(0, max(values) * 1.3)
    return _svg(fig)


def exit_statuses(kept: Counter[str], rejected: Counter[str]) -> str | None:
    statuses = sorted(set(kept) | set(rejected), key=lambda s: -(kept[s] + rejected[s]))
    if not statuses:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 0.35 * len(statuses) + 0.9))
    y = np.arange(len(statuses))[::-1]
    k = [kept[s] for s in statuses]
    ax.barh(y, k, color=COLORS["kept"], label="kept")
    ax.barh(y, [rejected[s] for s in statuses], left=k, color=COLORS["rejected"], label="rejected")
    ax.set_yticks(y, statuses)
    ax.set_xlabel("episodes")
    ax.legend(frameon=False)
    return _svg(fig)


def margins(by_category: dict[str, list[float]], thresholds: dict[str, float]) -> str | None:
    cats = [c for c, v in sorted(by_category.items()) if v]
    if not cats:
        return None
    plt = _plt()
    fig, axes = plt.subplots(1, len(cats), figsize=(3.4 * len(cats), 2.5), squeeze=False)
    for ax, cat in zip(axes[0], cats, strict=True):
        values = by_category[cat]
        ax.hist(values, bins=20, color=COLORS["kept"])
        if cat in thresholds:
            ax.axvline(thresholds[cat], color="#c0392b", linestyle="--", linewidth=1, label="threshold")
        ax.set_title(f"{cat}: {len(values):,} pairs, median {np.median(values):.2f}", fontsize=9)
        ax.set_xlabel("margin (measured)")
    fig.tight_layout()
    return _svg(fig)


def resolve_rates(models: dict[str, dict[str, Any]]) -> str | None:
    """Resolve rate per model and family with the 95% Wilson interval (``eval/summary.json``)."""
    if not models:
        return None
    families = sorted({f for stats in models.values() for f in stats if f != "all"}) + ["all"]
    plt = _plt()
    fig, ax = plt.subplots(figsize=(max(4.5, 1.1 * len(families) * max(1, len(models)) * 0.6), 2.8))
    width = 0.8 / len(models)
    x = np.arange(len(families))
    for i, (model, stats) in enumerate(models.items()):
        rows = [stats.get(f) or {"resolve_rate": 0.0, "ci95": [0.0, 0.0]} for f in families]
        rates = np.array([r["resolve_rate"] for r in rows])
        low = rates - np.array([r["ci95"][0] for r in rows])
        high = np.array([r["ci95"][1] for r in rows]) - rates
        ax.bar(x + i * width, rates, width, yerr=[low, high], capsize=2, label=model[-40:])
    ax.set_xticks(x + width * (len(models) - 1) / 2, families)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("resolve rate (95% CI)")
    ax.legend(frameon=False, fontsize=7)
    return _svg(fig)
