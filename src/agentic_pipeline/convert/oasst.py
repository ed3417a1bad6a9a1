"""Rebuild conversations from an OASST message table (one message per row, linked by ``parent_id``).

Each tree (a root prompt with ``parent_id`` null) becomes one conversation: from the root, follow the
best-ranked reply (``rank`` 0 is best; unranked replies come after ranked ones; deleted messages are
skipped) until a message has no reply, then cut a trailing unanswered prompt. Messages on the other
branches are not conversations of their own; the caller reports how many there were.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agentic_pipeline.convert.formats import Converted, Reject, oasst_path_end, oasst_rank, oasst_turn


@dataclass(slots=True)
class Row:
    line: int
    obj: dict[str, Any]


@dataclass(slots=True)
class TreeResult:
    """One tree: its root's line, and the conversation or the reason it has none."""

    line: int
    raw: dict[str, Any]
    conv: Converted | None
    reason: str | None
    used: int


def best_paths(rows: list[Row], notes: list[str]) -> tuple[list[TreeResult], list[tuple[Row, str]]]:
    """The best path of every tree, and the rows that belong to no tree (with the reason)."""
    children: dict[str, list[Row]] = {}
    roots: list[Row] = []
    orphans: list[tuple[Row, str]] = []
    ids = set()
    for row in rows:
        mid = row.obj.get("message_id")
        if not isinstance(mid, str) or not mid:
            orphans.append((row, "OASST row without a message_id"))
            continue
        ids.add(mid)
        if row.obj.get("deleted") is True:
            continue
        parent = row.obj.get("parent_id")
        if parent is None or parent == "":
            roots.append(row)
        else:
            children.setdefault(str(parent), []).append(row)
    for parent, kids in children.items():
        if parent not in ids:
            orphans.extend((kid, f"parent message {parent} is not in the file") for kid in kids)
    results = []
    for root in roots:
        path = [root]
        while True:
            kids = children.get(path[-1].obj["message_id"])
            if not kids:
                break
            path.append(min(kids, key=lambda r: oasst_rank(r.obj)))
        try:
            messages = [oasst_turn(r.obj, f"line {r.line}", notes) for r in path]
            conv = Converted(messages=oasst_path_end(messages))
            results.append(TreeResult(root.line, root.obj, conv, None, len(path)))
        except Reject as exc:
            results.append(TreeResult(root.line, root.obj, None, str(exc), len(path)))
    return results, orphans
