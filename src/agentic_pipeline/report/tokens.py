"""Token counts for the report: exact with the model's tokenizer, or estimated and marked as such.

Exact (``--tokenizer``): every record is rendered with the tokenizer's chat template and counted
the way ``agentic validate`` and training count it (:func:`agentic_pipeline.render.count_tokens`:
total and trainable tokens; a pair counts its longer side). That costs a tokenization of the whole
dataset (about two minutes for 85K records of ~3K tokens on 2 cores).

Estimated (the default): a record's training text in characters (every turn, the tool calls'
arguments, the tool definitions) times the tokens per character that the package's tiny offline
tokenizer gives on rendered records of the same kind, measured on up to ``SAMPLE_PER_KIND`` of them.
Seconds for 85K records; the page says the counts are approximate and how they were made.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from agentic_pipeline.render import Span, TemplateError, assistant_spans, count_tokens
from agentic_pipeline.report.collect import Row

SAMPLE_PER_KIND = 60
BATCH = 256
LOSS_VIEW_CHARS = 40_000  # the rendered text shown with its loss spans, per record, at most


def rendered(obj: dict[str, Any], tokenizer: Any) -> list[tuple[str, list[Span]]]:
    """The rendered text(s) of a record with the character spans that carry loss (both sides of a pair)."""
    tools = obj.get("tools") or None
    if "prompt" in obj:
        prompt = list(obj.get("prompt") or [])
        return [
            assistant_spans(
                prompt + list(obj.get(side) or []), tools, tokenizer, train_from=len(prompt), verify=False
            )
            for side in ("chosen", "rejected")
            if obj.get(side)
        ]
    if obj.get("messages"):
        return [assistant_spans(obj["messages"], tools, tokenizer, verify=False)]
    return []


def _count(obj: dict[str, Any], tokenizer: Any) -> tuple[int, int] | None:
    try:
        items = rendered(obj, tokenizer)
    except (TemplateError, ValueError, TypeError, KeyError, AttributeError):
        return None
    if not items:
        return None
    return max(count_tokens(items, tokenizer))


def count_exact(
    rows: list[Row],
    records: Callable[[list[Row]], list[dict[str, Any]]],
    tokenizer: Any,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Fill ``tokens`` and ``trainable`` of every row, tokenizing ``BATCH`` records at a time (a pair:
    its longer side); returns how many records could not be rendered (they count 0)."""
    failed = 0
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        items: list[tuple[str, list[Span]]] = []
        owners: list[int] = []
        for j, obj in enumerate(records(batch)):
            try:
                texts = rendered(obj, tokenizer)
            except (TemplateError, ValueError, TypeError, KeyError, AttributeError):
                texts = []
            items += texts
            owners += [j] * len(texts)
        best: dict[int, tuple[int, int]] = {}
        for j, counted in zip(owners, count_tokens(items, tokenizer) if items else [], strict=True):
            best[j] = max(best.get(j, counted), counted)
        for j, row in enumerate(batch):
            row.tokens, row.trainable = best.get(j, (0, -1))
        failed += len(batch) - len(best)
        if progress:
            progress(start + len(batch), len(rows))
    return failed


def estimate(
    rows: list[Row], records: Callable[[list[Row]], list[dict[str, Any]]], tokenizer: Any
) -> dict[str, float]:
    """Fill ``tokens`` from characters; returns the tokens per character measured for each kind."""
    by_kind: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.chars:
            by_kind[row.kind].append(row)
    ratios: dict[str, float] = {}
    for kind, mine in by_kind.items():
        step = max(1, len(mine) // SAMPLE_PER_KIND)
        sample = mine[::step][:SAMPLE_PER_KIND]
        tokens = chars = 0
        for row, obj in zip(sample, records(sample), strict=True):
            counted = _count(obj, tokenizer)
            if counted is not None:
                tokens += counted[0]
                chars += row.chars
        ratios[kind] = tokens / chars if chars else 0.25
    for row in rows:
        row.tokens = round(row.chars * ratios.get(row.kind, 0.25))
    return ratios


def loss_view(obj: dict[str, Any], tokenizer: Any) -> dict[str, Any] | None:
    """The rendered text (the chosen side of a pair) and the spans that carry loss, cut for the page."""
    try:
        items = rendered(obj, tokenizer)
    except (TemplateError, ValueError, TypeError, KeyError, AttributeError):
        return None
    if not items:
        return None
    text, spans = items[0]
    cut = text[:LOSS_VIEW_CHARS]
    return {
        "text": cut,
        "spans": [[a, min(b, len(cut))] for a, b in spans if a < len(cut)],
        "cut": len(text) - len(cut),
    }
