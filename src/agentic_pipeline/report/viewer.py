"""The records the page's trajectory viewer holds, and how they are packed into the page.

A folder of up to ``max_records`` records is embedded whole. A larger one is sampled, seeded, so that
the viewer stays fast (the page's counts and plots are always over every record): first the records
that need a look (rejected, or with a validation finding), up to a quarter of the budget, then every
kind and category in proportion to its size with at least ``MIN_PER_STRATUM`` each. Long strings are
cut in the page (head and tail kept, the cut said in place); the files keep them whole. The payload
is JSON, gzip-compressed and base64-encoded into the page, and the browser inflates it with its own
``DecompressionStream``: a third of the size of plain JSON for the same records.
"""

from __future__ import annotations

import base64
import gzip
import random
from collections import defaultdict
from typing import Any

import orjson

from agentic_pipeline.report.collect import Row

MIN_PER_STRATUM = 20
CUT_ABOVE = 12_000  # characters of one string shown in the page, at most (head + tail)
HEAD, TAIL = 8_000, 3_000


def select(rows: list[Row], max_records: int, seed: int = 0) -> list[int]:
    """Indexes into ``rows`` of the records the viewer holds, in file order."""
    if len(rows) <= max_records:
        return list(range(len(rows)))
    rng = random.Random(seed)
    flagged = [i for i, r in enumerate(rows) if r.rejected or r.findings]
    rng.shuffle(flagged)
    chosen = set(flagged[: max_records // 4])
    strata: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        if i not in chosen:
            strata[(r.kind, r.category)].append(i)
    quotas = _quotas({key: len(items) for key, items in strata.items()}, max_records - len(chosen))
    for key, items in sorted(strata.items()):
        chosen.update(rng.sample(items, quotas[key]))
    return sorted(chosen)


def _quotas(sizes: dict[tuple[str, str], int], room: int) -> dict[tuple[str, str], int]:
    """Records per stratum: a minimum each (as far as the room allows), the rest in proportion."""
    floor_each = min(MIN_PER_STRATUM, room // max(1, len(sizes)))
    quotas = {key: min(n, floor_each) for key, n in sizes.items()}
    rest = {key: n - quotas[key] for key, n in sizes.items()}
    left, total_rest = room - sum(quotas.values()), sum(rest.values())
    if total_rest and left > 0:
        for key in sizes:
            quotas[key] += min(rest[key], left * rest[key] // total_rest)
    left = room - sum(quotas.values())
    for key in sorted(sizes, key=lambda k: (quotas[k] - sizes[k], k)):  # the rounding's remainder
        if left <= 0:
            break
        if quotas[key] < sizes[key]:
            quotas[key] += 1
            left -= 1
    return quotas


def _cut(value: Any) -> Any:
    if isinstance(value, str):
        if len(value) <= CUT_ABOVE:
            return value
        gone = len(value) - HEAD - TAIL
        return f"{value[:HEAD]}\n\n[... {gone:,} characters cut in this page; the file has them ...]\n\n{value[-TAIL:]}"
    if isinstance(value, dict):
        return {k: _cut(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cut(v) for v in value]
    return value


def entry(row: Row, obj: dict[str, Any], findings: list, loss: dict[str, Any] | None) -> dict[str, Any]:
    """One record as the viewer gets it: the record (long strings cut) and what the report knows of it."""
    record = {k: v for k, v in obj.items() if k != "tools"}  # tool definitions: listed once per page
    return {
        "r": _cut(record),
        "tools": [((t.get("function") or {}).get("name")) for t in obj.get("tools") or []],
        "file": row.file,
        "line": row.line,
        "kind": row.kind,
        "category": row.category,
        "source": row.source,
        "status": "rejected" if row.rejected else "kept",
        "reason": row.reason,
        "tokens": row.tokens,
        "trainable": row.trainable,
        "steps": row.steps,
        "findings": findings,
        "loss": loss,
    }


def pack(entries: list[dict[str, Any]]) -> str:
    """The viewer's records as base64 of gzip of JSON (safe inside a script element)."""
    return base64.b64encode(gzip.compress(orjson.dumps(entries), compresslevel=6, mtime=0)).decode("ascii")
