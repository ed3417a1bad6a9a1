"""Read ``.jsonl`` files line by line without ever stopping on a bad line.

Each line comes back as a parsed object or as the reason it is not one: invalid UTF-8 (with the
byte offset), bad JSON, a JSON value that is not an object, a line longer than ``max_bytes``
(skipped in blocks, never held in memory whole), a byte order mark (stripped, reported once).
Files are cut into byte ranges on line boundaries so worker processes can read them in parallel,
each knowing the line number its range starts at.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024
BOM = b"\xef\xbb\xbf"
_BLOCK = 1 << 20


@dataclass(slots=True)
class Chunk:
    path: Path
    start: int
    end: int
    first_line: int  # 1-based number of the line starting at ``start``


@dataclass(slots=True)
class Line:
    number: int
    obj: dict[str, Any] | None
    raw: bytes  # the line without its newline (the first max_bytes for an over-long line)
    check: str | None = None  # set when the line is not a usable object
    message: str | None = None
    bom: bool = False


def _next_line_start(f: Any, offset: int, size: int) -> int:
    """The offset just past the first newline at or after ``offset`` (or the file size)."""
    f.seek(offset)
    while True:
        block = f.read(_BLOCK)
        if not block:
            return size
        i = block.find(b"\n")
        if i >= 0:
            return offset + i + 1
        offset += len(block)


def _count_newlines(f: Any, start: int, end: int) -> int:
    f.seek(start)
    remaining, count = end - start, 0
    while remaining > 0:
        block = f.read(min(_BLOCK * 8, remaining))
        if not block:
            break
        count += block.count(b"\n")
        remaining -= len(block)
    return count


def plan_chunks(paths: list[Path], target_bytes: int = 4 * 1024 * 1024) -> list[Chunk]:
    """Byte ranges of about ``target_bytes`` that start and end on line boundaries."""
    chunks = []
    for path in paths:
        size = path.stat().st_size
        with path.open("rb") as f:
            start, line = 0, 1
            while start < size:
                end = _next_line_start(f, min(start + target_bytes, size) - 1, size) if size else size
                end = max(end, start + 1)
                chunks.append(Chunk(path, start, end, line))
                line += _count_newlines(f, start, end)
                start = end
    return chunks


def _skip_rest(f: Any, seen: int, max_bytes: int) -> int:
    """Consume the rest of an over-long line; return its total length in bytes."""
    while True:
        block = f.readline(_BLOCK)
        seen += len(block)
        if not block or block.endswith(b"\n"):
            return seen - (1 if block.endswith(b"\n") else 0)


def parse_line(raw: bytes, number: int, strip_bom: bool = False) -> Line:
    bom = strip_bom and raw.startswith(BOM)
    if bom:
        raw = raw[len(BOM) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Line(number, None, raw, "read", f"invalid UTF-8 at byte offset {exc.start}: {exc.reason}", bom)
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        return Line(number, None, raw, "read", f"bad JSON: {exc}", bom)
    if not isinstance(obj, dict):
        return Line(number, None, raw, "read", f"expected a JSON object, got {type(obj).__name__}", bom)
    return Line(number, obj, raw, bom=bom)


def read_chunk(chunk: Chunk, max_bytes: int = DEFAULT_MAX_LINE_BYTES) -> Iterator[Line]:
    """Every line of a chunk; blank lines are skipped (a trailing newline is not an error)."""
    with chunk.path.open("rb") as f:
        f.seek(chunk.start)
        pos, number = chunk.start, chunk.first_line
        while pos < chunk.end:
            raw = f.readline(max_bytes + 1)
            if not raw:
                return
            if len(raw) > max_bytes and not raw.endswith(b"\n"):
                total = _skip_rest(f, len(raw), max_bytes)
                pos = f.tell()
                yield Line(
                    number,
                    None,
                    raw[:max_bytes],
                    "read",
                    f"line is {total:,} bytes, more than the limit of {max_bytes:,} (--max-line-bytes)",
                )
                number += 1
                continue
            pos += len(raw)
            raw = raw.rstrip(b"\r\n")
            if raw.strip():
                yield parse_line(raw, number, strip_bom=number == 1)
            number += 1
