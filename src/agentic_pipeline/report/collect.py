"""One pass over a data folder: the numbers of the report and a compact row per record.

Every ``.jsonl`` under the data folder is read line by line (records kept for training, and under
``rejected/`` the episodes that failed their verifier and the preference pairs dropped with their
reason). A record costs a small :class:`Row` in memory, never its text, so an 85K-record folder fits
easily; the viewer's records are read again afterwards by byte offset (:func:`read_rows`).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from agentic_pipeline.layout import DIR_KINDS

REJECTED = "rejected"


@dataclass(slots=True)
class Row:
    """What the report keeps of one record (its text stays in the file, at ``offset``)."""

    file: str  # relative to the data folder
    line: int  # 1-based
    offset: int
    kind: str
    category: str
    id: str
    source: str
    teacher: str
    rejected: bool
    chars: int = 0  # the training text's characters (the longer side of a pair)
    tokens: int = 0  # filled by the token counter (exact or estimated)
    trainable: int = -1  # exact counts only
    steps: int = 0  # assistant turns with a tool call
    exit_status: str | None = None
    reason: str | None = None  # why a rejected record was rejected
    margin: float | None = None  # preference pairs: the measured margin
    findings: int = 0


@dataclass
class Collected:
    rows: list[Row] = field(default_factory=list)
    tools: Counter[str] = field(default_factory=Counter)
    thresholds: dict[str, float] = field(default_factory=dict)  # preference category -> margin threshold
    unreadable: list[str] = field(default_factory=list)  # "file:line: why" for lines that are not records
    files: int = 0
    bytes: int = 0


def _kind_of(rel: Path) -> str | None:
    for part in reversed(rel.parts[:-1]):
        if part in DIR_KINDS:
            return DIR_KINDS[part]
    return None


def data_files(data_dir: Path) -> list[Path]:
    """Every ``.jsonl`` under the data folder in a stable order, hidden folders (caches) left out."""
    out = []
    for path in sorted(Path(data_dir).rglob("*.jsonl")):
        rel = path.relative_to(data_dir)
        if not any(part.startswith(".") for part in rel.parts):
            out.append(path)
    return out


def _training_chars(messages: list[dict[str, Any]]) -> int:
    n = 0
    for m in messages:
        n += len(m.get("content") or "") + len(m.get("reasoning") or "")
        for call in m.get("tool_calls") or ():
            fn = call.get("function") or {}
            args = fn.get("arguments")
            n += len(fn.get("name") or "") + (len(args) if isinstance(args, str) else len(orjson.dumps(args)))
    return n


def _steps(messages: list[dict[str, Any]], tools: Counter[str]) -> int:
    steps = 0
    for m in messages:
        calls = m.get("tool_calls") or ()
        if m.get("role") == "assistant" and calls:
            steps += 1
            for call in calls:
                tools[str((call.get("function") or {}).get("name"))] += 1
    return steps


def _source(value: Any) -> str:
    """The facet a record's source falls under: ``stdlib:uuid`` -> stdlib, a converted file -> its name."""
    text = str(value or "?")
    return Path(text).name if "/" in text else text.split(":")[0]


def _reject_reason(obj: dict[str, Any]) -> str:
    if "reason" in obj:  # a dropped preference pair
        return str(obj["reason"])
    outcome = obj.get("outcome") or {}
    status = outcome.get("exit_status") or "unknown exit"
    if status == "submitted":
        return f"submitted, {outcome.get('verifier') or 'verifier'} failed"
    return str(status)


def _row(
    obj: dict[str, Any], rel: str, line: int, offset: int, kind: str, rejected: bool, c: Collected
) -> Row:
    meta = obj.get("metadata") or {}
    row = Row(
        file=rel,
        line=line,
        offset=offset,
        kind=str(obj.get("kind") or kind),
        category=str(obj.get("category") or "?"),
        id=str(obj.get("id") or f"{rel}:{line}"),
        source=_source(meta.get("source") or obj.get("problem")),
        teacher=str(meta.get("teacher") or "?"),
        rejected=rejected,
    )
    tools_chars = len(orjson.dumps(obj["tools"])) if obj.get("tools") else 0
    if "messages" in obj:
        messages = obj["messages"] if isinstance(obj["messages"], list) else []
        row.chars = _training_chars(messages) + tools_chars
        row.steps = _steps(messages, c.tools)
    elif "prompt" in obj:
        prompt = _training_chars(obj.get("prompt") or [])
        sides = [_training_chars(obj.get(s) or []) for s in ("chosen", "rejected")]
        row.chars = prompt + max(sides) + tools_chars
    outcome = obj.get("outcome") or {}
    row.exit_status = outcome.get("exit_status")
    evidence = meta.get("evidence") if isinstance(meta.get("evidence"), dict) else obj.get("evidence")
    evidence = evidence if isinstance(evidence, dict) else {}
    margin = evidence.get("margin", obj.get("margin"))
    if isinstance(margin, int | float):
        row.margin = float(margin)
    if isinstance(evidence.get("threshold"), int | float):
        c.thresholds.setdefault(row.category, float(evidence["threshold"]))
    if rejected:
        row.reason = _reject_reason(obj)
    return row


def _lines(path: Path) -> Iterator[tuple[int, int, bytes]]:
    """(1-based line number, byte offset, line) of every non-blank line."""
    offset = 0
    with path.open("rb") as f:
        for number, raw in enumerate(f, 1):
            if raw.strip():
                yield number, offset, raw
            offset += len(raw)


def collect(data_dir: Path, progress: Callable[[int, int], None] | None = None) -> Collected:
    """Read every record of the folder once; ``progress(bytes done, bytes in all)``."""
    data_dir = Path(data_dir)
    c = Collected()
    paths = data_files(data_dir)
    total = sum(p.stat().st_size for p in paths)
    done = 0
    for path in paths:
        rel = path.relative_to(data_dir)
        kind = _kind_of(rel)
        rejected = rel.parts[0] == REJECTED
        if kind is None and not rejected:
            continue
        c.files += 1
        for number, offset, raw in _lines(path):
            done += len(raw)
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                c.unreadable.append(f"{rel}:{number}: not JSON ({exc})")
                continue
            if not isinstance(obj, dict):
                c.unreadable.append(f"{rel}:{number}: not a JSON object")
                continue
            if rejected and kind is None and isinstance(obj.get("record"), dict):
                continue  # ``validate --fix`` drops (rejected/<check>.jsonl): reported by the validation
            c.rows.append(_row(obj, str(rel), number, offset, kind or "?", rejected, c))
            if progress and len(c.rows) % 2000 == 0:
                progress(done, total)
        c.bytes += path.stat().st_size
    if progress:
        progress(total, total)
    return c


def read_rows(data_dir: Path, rows: list[Row]) -> list[dict[str, Any]]:
    """The full records of ``rows``, read by byte offset, in the order given."""
    out: list[dict[str, Any]] = []
    by_file: dict[str, list[tuple[int, Row]]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_file[row.file].append((i, row))
    found: dict[int, dict[str, Any]] = {}
    for rel, items in by_file.items():
        with (Path(data_dir) / rel).open("rb") as f:
            for i, row in sorted(items, key=lambda item: item[1].offset):
                f.seek(row.offset)
                found[i] = orjson.loads(f.readline())
    out = [found[i] for i in range(len(rows))]
    return out


def attach_findings(rows: list[Row], validation: dict[str, Any] | None) -> dict[tuple[str, int], list]:
    """Findings per (file, line) from a ``validation.json``; counts them on the rows."""
    by_place: dict[tuple[str, int], list] = defaultdict(list)
    for f in (validation or {}).get("findings", []):
        by_place[(str(f.get("file")), int(f.get("line") or 0))].append(
            [f.get("check"), f.get("severity"), f.get("message")]
        )
    for row in rows:
        row.findings = len(by_place.get((row.file, row.line), ()))
    return by_place


def load_validation(path: Path | None) -> dict[str, Any] | None:
    if path is None or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}:{exc.lineno}: not a validation report (JSON: {exc.msg})") from None
    if not isinstance(data, dict) or "findings" not in data:
        raise ValueError(
            f"{path}: not a validation report (no 'findings'; write one with agentic validate --report)"
        )
    return data
