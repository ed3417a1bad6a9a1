"""Read input files as rows: ``(line, object or error, raw bytes)``.

JSON Lines files are read as byte ranges (see :func:`plan_chunks`) so that big files can be converted
by several processes; the other types (``.json``, ``.csv``/``.tsv``, ``.parquet``) are read whole or
batch by batch. ``line`` is the physical line for JSON Lines and CSV, the item index for a JSON
array and the row index for Parquet. A row that can't be read carries a :class:`RowError` instead of
an object, so the caller can reject it with its line and go on.
"""

from __future__ import annotations

import csv
import mmap
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from agentic_pipeline.convert.formats import detect_any

BOM = b"\xef\xbb\xbf"
SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
}
# Structured columns of a CSV/TSV file hold JSON text; these are parsed back into lists/objects.
JSON_COLUMNS = frozenset(
    {"messages", "conversations", "conversation", "tools", "chosen", "rejected", "prompt"}
)


@dataclass(slots=True)
class RowError:
    reason: str


Row = tuple[int, "dict[str, Any] | Any | RowError", bytes]


def file_type(path: Path) -> str | None:
    return SUFFIXES.get(path.suffix.lower())


# --- JSON Lines --------------------------------------------------------------------------------


def plan_chunks(path: Path, chunk_bytes: int) -> list[tuple[int, int, int]]:
    """Split a file into ``(start, end, first line number)`` ranges that end on a newline."""
    size = path.stat().st_size
    if size == 0:
        return []
    chunks = []
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        start, line = 0, 1
        while start < size:
            end = min(start + chunk_bytes, size)
            if end < size:
                nl = mm.find(b"\n", end - 1)
                end = size if nl < 0 else nl + 1
            chunks.append((start, end, line))
            line += mm[start:end].count(b"\n")
            start = end
    return chunks


def read_range(path: Path, start: int, end: int) -> bytes:
    with path.open("rb") as f:
        f.seek(start)
        return f.read(end - start)


def head_objects(path: Path, limit: int = 50, max_bytes: int = 1 << 20) -> list[dict[str, Any]]:
    """The first parseable objects of a JSON Lines file, for format detection."""
    with path.open("rb") as f:
        data = f.read(max_bytes)
    if data.startswith(BOM):
        data = data[len(BOM) :]
    objs = []
    for raw in data.split(b"\n"):
        if len(objs) >= limit:
            break
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError:
            continue
        if isinstance(obj, dict) and obj:
            objs.append(obj)
    return objs


# --- JSON --------------------------------------------------------------------------------------


def read_json(path: Path, notes: list[str]) -> Iterator[Row]:
    data = path.read_bytes()
    if data.startswith(BOM):
        data = data[len(BOM) :]
        notes.append("UTF-8 BOM removed")
    if not data.strip():
        return
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if _looks_like_jsonl(data):
            notes.append("file is JSON Lines despite its .json name")
            yield from _jsonl_rows(data)
            return
        yield 0, RowError(f"not valid JSON ({exc})"), data[:2000]
        return
    for index, item in enumerate(_items(doc, notes), 1):
        yield index, item, orjson.dumps(item)


def _looks_like_jsonl(data: bytes) -> bool:
    first = data.split(b"\n", 1)[0]
    try:
        return isinstance(orjson.loads(first), dict) and b"\n" in data.strip()
    except orjson.JSONDecodeError:
        return False


def _jsonl_rows(data: bytes) -> Iterator[Row]:
    for line, raw in enumerate(data.split(b"\n"), 1):
        if raw.strip():
            try:
                yield line, orjson.loads(raw), raw
            except orjson.JSONDecodeError as exc:
                yield line, RowError(f"invalid JSON ({exc})"), raw


def _items(doc: Any, notes: list[str]) -> list[Any]:
    """The records of a JSON document: an array, or the array(s) an object holds."""
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        arrays = [
            k for k, v in doc.items() if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)
        ]
        if arrays and detect_any(doc)[0] is None:
            notes.append(f"records taken from key(s) {', '.join(arrays)}")
            return [item for k in arrays for item in doc[k]]
        return [doc]
    return [doc]


# --- CSV / TSV ---------------------------------------------------------------------------------


def read_csv(path: Path, delimiter: str, notes: list[str]) -> Iterator[Row]:
    csv.field_size_limit(sys.maxsize)
    # surrogateescape keeps invalid UTF-8 bytes readable so that only the rows holding them are rejected.
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as f:
        if f.read(1) == "":
            return
        f.seek(0)
        reader = csv.reader(f, delimiter=delimiter)
        try:
            header = next(reader)
        except csv.Error as exc:
            yield 1, RowError(f"unreadable header ({exc})"), b""
            return
        columns = [h.strip().lower() for h in header]
        line = reader.line_num
        while True:
            start = line + 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                line = reader.line_num
                yield start, RowError(f"malformed CSV row ({exc})"), b""
                continue
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            yield start, *_csv_row(columns, values)


def _csv_row(columns: list[str], values: list[str]) -> tuple[Any, bytes]:
    joined = "\x1f".join(values)
    try:
        joined.encode()
    except UnicodeEncodeError:
        raw = joined.encode("utf-8", "surrogateescape").replace(b"\x1f", b",")
        return RowError("invalid UTF-8 bytes in the row"), raw
    if len(values) != len(columns):
        return RowError(f"row has {len(values)} fields, the header has {len(columns)}"), joined.encode()
    obj: dict[str, Any] = {}
    for key, value in zip(columns, values, strict=True):
        if key in JSON_COLUMNS and value[:1] in ("[", "{"):
            try:
                obj[key] = orjson.loads(value)
                continue
            except orjson.JSONDecodeError:
                pass
        obj[key] = value
    return obj, orjson.dumps(obj)


# --- Parquet -----------------------------------------------------------------------------------


def read_parquet(path: Path, notes: list[str]) -> Iterator[Row]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        yield 0, RowError(f"not a readable Parquet file ({exc})"), b""
        return
    index = 0
    for batch in pf.iter_batches(batch_size=4096):
        for row in batch.to_pylist():
            index += 1
            # Struct columns come back with every field, null where a row lacks it: drop those.
            obj = {k: _drop_nulls(v) for k, v in row.items()}
            yield index, obj, orjson.dumps(obj, default=str)


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def read_rows(path: Path, ftype: str, notes: list[str]) -> Iterator[Row]:
    """Rows of a non-JSON-Lines file."""
    if ftype == "json":
        return read_json(path, notes)
    if ftype in ("csv", "tsv"):
        return read_csv(path, "," if ftype == "csv" else "\t", notes)
    if ftype == "parquet":
        return read_parquet(path, notes)
    if ftype == "jsonl":
        data = path.read_bytes()
        if data.startswith(BOM):
            notes.append("UTF-8 BOM removed")
            data = data[len(BOM) :]
        return _jsonl_rows(data)
    raise ValueError(f"unsupported file type {ftype}")
