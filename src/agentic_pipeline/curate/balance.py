"""Balance: records per kind and category against the targets, and token statistics per category."""

from __future__ import annotations

from typing import Any

import numpy as np

from agentic_pipeline.layout import TARGETS


def parse_targets(overrides: list[str]) -> dict[str, int]:
    """``["trajectory=500", ...]`` over the defaults; raises ValueError naming a bad item."""
    targets = dict(TARGETS)
    for item in overrides:
        kind, sep, value = item.partition("=")
        if not sep or kind not in TARGETS or not value.isdigit():
            raise ValueError(f"--target {item!r}: expected KIND=N with KIND one of {', '.join(TARGETS)}")
        targets[kind] = int(value)
    return targets


def token_stats(values: list[int]) -> dict[str, float]:
    if not values:
        return {"mean": 0, "median": 0, "p95": 0, "max": 0}
    arr = np.asarray(values)
    return {
        "mean": round(float(arr.mean()), 1),
        "median": float(np.median(arr)),
        "p95": float(np.percentile(arr, 95)),
        "max": int(arr.max()),
    }


def summarize(tokens: dict[tuple[str, str], list[int]], targets: dict[str, int]) -> dict[str, Any]:
    """{kind: {count, target, share_of_target, categories: {category: {count, tokens: stats}}}}."""
    out: dict[str, Any] = {}
    for kind in sorted(set(targets) | {k for k, _ in tokens}):
        cats = {c: v for (k, c), v in sorted(tokens.items()) if k == kind}
        count = sum(len(v) for v in cats.values())
        target = targets.get(kind, 0)
        out[kind] = {
            "count": count,
            "target": target,
            "share_of_target": round(count / target, 4) if target else None,
            "categories": {c: {"count": len(v), "tokens": token_stats(v)} for c, v in cats.items()},
        }
    return out
