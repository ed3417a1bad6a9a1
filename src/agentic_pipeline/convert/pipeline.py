"""Convert input files into domain records and preference pairs, with rejects and a per-file report.

For each input file: detect its format from its first objects (or take the forced one), convert
every row, check it (:mod:`agentic_pipeline.convert.build`), drop exact duplicates per output file,
and write everything that can't be converted to ``<output>/rejected/convert.jsonl`` with its file,
line and reason. The report counts, per file, the records that kept tool calls and the rows with
tool calls that were lost, the reject reasons by kind, and for OASST data the replies each choice
of paths keeps. Big JSON Lines files are split into byte ranges converted by a process pool;
results are consumed in order, so the output is the same whatever the number of processes. With
``--executor ray`` (``Options.executor``) the chunks are converted on a Ray cluster's nodes instead:
the driver reads each byte range and sends it (the nodes need no access to the input), and writes
the results in the same order, so the output is byte for byte the local one.
Outputs are written to temporary files and moved into place at the end: an interrupted run leaves
the previous outputs as they were.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from agentic_pipeline.convert import build, oasst, readers
from agentic_pipeline.convert.formats import (
    ALSO_ACCEPTS,
    CONVERTERS,
    FORMATS,
    Reject,
    detect,
    detect_any,
    lower_keys,
)

MAX_RAW_CHARS = 20_000
KEY_BYTES = build.KEY_BYTES
DETECT_OBJECTS = 50
# Keys a forced format needs, to reject a row that lacks them with a clear reason.
REQUIRED = {
    "openai": ("messages",),
    "sharegpt": ("conversations",),
    "alpaca": ("instruction", "output"),
    "dolly": ("instruction", "response"),
    "prompt_completion": ("prompt", "completion"),
    "oasst_tree": ("prompt",),
    "oasst_flat": ("message_id", "text", "role"),
    "preference": ("chosen", "rejected"),
    "openai_dpo": ("input", "preferred_output", "non_preferred_output"),
}
# A rejected row held tool calls: a non-empty tool_calls/function_call value, or a ShareGPT call turn.
TOOL_USE = re.compile(rb'"(?:tool_calls|function_call)"\s*:\s*[\[{]|"from"\s*:\s*"function_call"')
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_NUMBER = re.compile(r"\d+")


def reason_kind(reason: str) -> str:
    """A reject reason without its particulars (positions, names, ids), to count reasons by kind."""
    kind = _NUMBER.sub("N", _QUOTED.sub("'…'", reason))
    return kind if len(kind) <= 160 else kind[:159] + "…"


FINAL_CALL_NOTE = "records that end on the assistant's tool call (the call is the target)"


class InputError(Exception):
    """A problem with what the user asked for (a missing path); the message is for people."""


@dataclass(slots=True)
class Job:
    """One input file and where its records go."""

    path: Path
    relname: str
    source: str
    domain: str
    ftype: str
    name: str = ""  # the path as the summary shows it: relative to its --input


@dataclass
class FileReport:
    source: str
    domain: str
    name: str = ""  # the path relative to its --input (the summary shows this)
    format: str | None = None
    forced: bool = False
    read: int = 0
    written: int = 0
    rejected: int = 0
    duplicates: int = 0
    notes: Counter[str] = field(default_factory=Counter)
    message: str | None = None
    worker_cpu_s: float = 0.0  # CPU time spent in worker processes (not in this one)
    tool_kept: int = 0  # records written with tool calls
    tool_duplicates: int = 0  # records with tool calls dropped as duplicates of one written
    tool_lost: int = 0  # rows with tool calls rejected: their tool use is not in the output
    reasons: Counter[str] = field(default_factory=Counter)  # rejects by kind of reason
    oasst: Counter[str] = field(default_factory=Counter)  # OASST replies kept/dropped (see oasst.py)

    @property
    def tool_rows(self) -> int:
        """Rows of the input with tool calls."""
        return self.tool_kept + self.tool_duplicates + self.tool_lost


@dataclass
class Summary:
    files: list[FileReport]
    skipped: list[str]
    outputs: list[Path]
    rejects_path: Path | None

    def total(self, name: str) -> int | float:
        return sum(getattr(f, name) for f in self.files)


@dataclass(slots=True)
class Ctx:
    """What a worker needs to convert rows of one file."""

    relname: str
    source: str
    domain: str
    fmt: str | None
    lower: bool
    forced: bool
    oasst_paths: str = "top"
    oasst_preferences: bool = False


@dataclass(slots=True)
class Batch:
    """Converted rows, as ``(dedup key, JSON line)``, plus rejects and counts."""

    read: int = 0
    sft: list[tuple[bytes, bytes]] = field(default_factory=list)
    pref: list[tuple[bytes, bytes]] = field(default_factory=list)
    sft_tools: bytearray = field(default_factory=bytearray)  # 1 where that sft record has tool calls
    pref_tools: bytearray = field(default_factory=bytearray)
    rejects: list[bytes] = field(default_factory=list)
    tool_lost: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)
    oasst: Counter[str] = field(default_factory=Counter)
    worker_cpu_s: float = 0.0

    def reject(self, ctx: Ctx, line: int, reason: str, raw: bytes) -> None:
        self.reasons[reason_kind(reason)] += 1
        if TOOL_USE.search(raw):
            self.tool_lost += 1
        text = raw.decode("utf-8", "replace")
        if len(text) > MAX_RAW_CHARS:
            text = text[:MAX_RAW_CHARS] + f"... [{len(text) - MAX_RAW_CHARS} more characters]"
        self.rejects.append(orjson.dumps({"file": ctx.source, "line": line, "reason": reason, "raw": text}))

    def pack(self) -> Packed:
        return Packed(
            self.read,
            _blobs(self.sft),
            _blobs(self.pref),
            bytes(self.sft_tools),
            bytes(self.pref_tools),
            b"".join(r + b"\n" for r in self.rejects),
            len(self.rejects),
            self.tool_lost,
            self.reasons,
            self.notes,
            self.oasst,
            self.worker_cpu_s,
        )


def _blobs(items: list[tuple[bytes, bytes]]) -> tuple[bytes, bytes]:
    """Keys (16 bytes each) and lines (newline-terminated) as two strings: one object each to pickle."""
    return b"".join(k for k, _ in items), b"".join(line + b"\n" for _, line in items)


@dataclass(slots=True)
class Packed:
    """A batch as it travels from a worker process: a few large strings instead of many small ones."""

    read: int
    sft: tuple[bytes, bytes]
    pref: tuple[bytes, bytes]
    sft_tools: bytes
    pref_tools: bytes
    rejects: bytes
    rejected: int
    tool_lost: int
    reasons: Counter[str]
    notes: Counter[str]
    oasst: Counter[str]
    worker_cpu_s: float


# --- one row -----------------------------------------------------------------------------------


def _keys(obj: dict[str, Any]) -> str:
    return ", ".join(sorted(map(str, obj))[:20]) or "none"


def _row_format(
    ctx: Ctx, obj: dict[str, Any], line: int, raw: bytes, batch: Batch
) -> tuple[str, dict] | None:
    """The format to convert this row with (per-row detection when it differs from the file's)."""
    fmt = detect(obj)
    if fmt == ctx.fmt and fmt is not None:
        return fmt, obj
    if ctx.forced and fmt is not None and fmt in ALSO_ACCEPTS.get(ctx.fmt or "", ()):
        return fmt, obj  # e.g. an OpenAI DPO line under --format preference
    if ctx.forced:
        obj = lower_keys(obj) if ctx.lower else obj
        missing = [k for k in REQUIRED.get(ctx.fmt, ()) if k not in obj]
        if missing:
            batch.reject(
                ctx,
                line,
                f"missing key(s) {', '.join(missing)} for format {ctx.fmt} (keys: {_keys(obj)})",
                raw,
            )
            return None
        return ctx.fmt, obj  # type: ignore[return-value]
    lowered = False
    if fmt is None:
        fmt, lowered = detect_any(obj)
    if fmt is None:
        batch.reject(ctx, line, f"no known format (keys: {_keys(obj)})", raw)
        return None
    if lowered:
        obj = lower_keys(obj)
    if fmt != ctx.fmt:
        if fmt == "oasst_flat":
            batch.reject(ctx, line, "an OASST message row outside an OASST message table file", raw)
            return None
        batch.notes[f"rows in another format: {fmt}"] += 1
    return fmt, obj


def convert_obj(ctx: Ctx, obj: Any, line: int, raw: bytes, batch: Batch) -> None:
    if type(obj) is not dict:
        batch.reject(ctx, line, f"expected a JSON object, got {type(obj).__name__}", raw)
        return
    picked = _row_format(ctx, obj, line, raw, batch)
    if picked is None:
        return
    fmt, obj = picked
    notes: list[str] = []
    if fmt == "oasst_tree":
        oasst_export(ctx, obj, line, raw, batch, notes)
        return
    try:
        conv = CONVERTERS[fmt](obj, notes)
    except Reject as exc:
        batch.reject(ctx, line, str(exc), raw)
        return
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        # Structures nested in ways no converter expects (a role that is a list, ...).
        batch.reject(ctx, line, f"unexpected structure for format {fmt} ({type(exc).__name__}: {exc})", raw)
        return
    emit(ctx, conv, fmt, line, raw, batch, notes)


def emit(
    ctx: Ctx,
    conv: Any,
    fmt: str,
    line: int,
    raw: bytes,
    batch: Batch,
    notes: list[str],
    *,
    part: str = "",
    extra: dict[str, Any] | None = None,
) -> bool:
    """Check a converted row and add its record line to the batch (or reject it); True if added.

    ``part`` tells apart several records from one source line (an OASST tree's paths and pairs):
    it goes into the id. ``extra`` is metadata to add (an OASST message id, a pair's evidence).
    """
    problem = build.check(conv)
    if problem:
        batch.reject(ctx, line, problem, raw)
        return False
    if notes:
        batch.notes.update(set(notes))
    if conv.synthesized_tools:
        batch.notes["tool definitions synthesized from calls"] += 1
    # Inline (the hot path): does the record hold tool calls, does it end on one.
    calls = final_call = False
    if conv.tools:
        if conv.chosen is None:
            final_call = calls = "tool_calls" in conv.messages[-1]
            if not calls:
                for m in conv.messages:
                    if "tool_calls" in m:
                        calls = True
                        break
        else:
            calls = build.has_calls(conv)
            final_call = build.ends_with_call(conv)
        if final_call:
            batch.notes[FINAL_CALL_NOTE] += 1
    rid = build.record_id(ctx.relname, line, raw + b"\0" + part.encode() if part else raw)
    meta = build.metadata(ctx.source, line, fmt, conv, final_call)
    if extra:
        meta.update(extra)
    if conv.is_preference:
        key = build.dedup_key(conv.prompt, conv.chosen, conv.rejected)
        batch.pref.append((key, orjson.dumps(build.preference_record(rid, ctx.domain, meta, conv))))
        batch.pref_tools.append(calls)
    else:
        key = build.dedup_key(conv.messages)
        batch.sft.append((key, orjson.dumps(build.domain_record(rid, ctx.domain, meta, conv))))
        batch.sft_tools.append(calls)
    return True


# --- OASST trees -------------------------------------------------------------------------------


def emit_tree(ctx: Ctx, tree: oasst.TreeOut, fmt: str, line: int, raw: bytes, batch: Batch) -> None:
    """The records of one OASST tree, its unreadable messages as rejects, and its counts.

    ``line`` and ``raw`` are the tree's: the export's line, or the root's row of a table (where a
    message that can't be read is rejected with its own row).
    """
    for node, reason in tree.problems:
        if node.line == line:
            batch.reject(ctx, line, reason, raw)
        else:
            batch.reject(
                ctx, node.line, f"in the tree rooted at line {line}: {reason}", orjson.dumps(node.obj)
            )
    kept: set[str] = set()
    for c in tree.sft:
        # The best path keeps the id it always had; the other paths add their last message to it.
        part = "" if c.top else c.key
        if emit(ctx, c.conv, fmt, line, raw, batch, [], part=part, extra={"message_id": c.key}):
            kept.update(c.replies)
    for c in tree.pairs:
        if emit(ctx, c.conv, fmt, line, raw, batch, [], part="pair:" + c.key, extra=c.meta):
            tree.counts[oasst.PAIRS_KEPT] += 1
    tree.counts[oasst.KEPT] += len(kept)
    batch.oasst.update(tree.counts)


def oasst_export(
    ctx: Ctx, obj: dict[str, Any], line: int, raw: bytes, batch: Batch, notes: list[str]
) -> None:
    """One line of an OASST tree export: a whole tree."""
    counts: Counter[str] = Counter()
    if not isinstance(obj.get("prompt"), dict):
        batch.reject(ctx, line, "OASST tree export line without a 'prompt' object", raw)
        return
    try:
        root = oasst.tree_from_export(obj, line, counts)
    except Reject as exc:
        batch.oasst.update(counts)
        batch.reject(ctx, line, str(exc), raw)
        return
    tree = oasst.walk(root, ctx.oasst_paths, ctx.oasst_preferences, notes, lambda n: f"tree message {n.key}")
    tree.counts.update(counts)
    if notes:
        batch.notes.update(set(notes))
    emit_tree(ctx, tree, "oasst_tree", line, raw, batch)


# --- JSON Lines chunks (run in worker processes) ------------------------------------------------


def convert_lines(ctx: Ctx, data: bytes, first_line: int, at_end: bool) -> Batch:
    batch = Batch()
    lines = data.split(b"\n")
    last = len(lines) - 1
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    for i, raw in enumerate(lines):
        if not raw or raw.isspace():
            continue
        batch.read += 1
        try:
            obj = loads(raw)
        except decode_error as exc:
            reason = f"invalid JSON ({exc})"
            if at_end and i == last:
                reason += "; the last line has no newline: truncated file?"
            batch.reject(ctx, first_line + i, reason, raw)
            continue
        convert_obj(ctx, obj, first_line + i, raw, batch)
    return batch


def convert_chunk(task: tuple[Ctx, Path, int, int, int, bool]) -> Packed:
    ctx, path, start, end, first_line, at_end = task
    return convert_data((ctx, readers.read_range(path, start, end), start == 0, first_line, at_end))


def convert_data(task: tuple[Ctx, bytes, bool, int, bool]) -> Packed:
    """Convert one chunk's bytes (``first``: it starts the file, where a BOM may be)."""
    cpu = time.process_time()
    ctx, data, first, first_line, at_end = task
    bom = first and data.startswith(readers.BOM)
    batch = convert_lines(ctx, data[len(readers.BOM) :] if bom else data, first_line, at_end)
    if bom:
        batch.notes["UTF-8 BOM removed"] += 1
    batch.worker_cpu_s = time.process_time() - cpu
    return batch.pack()


# --- outputs -----------------------------------------------------------------------------------


class Writer:
    """Output files (written as .tmp, moved into place on commit) and the per-file dedup sets."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.pref_dir = output.parent / "preferences"
        self.rejects_path = output / "rejected" / "convert.jsonl"
        self._files: dict[Path, BinaryIO] = {}
        self._seen: dict[Path, set[bytes]] = {}

    def path_for(self, kind: str, domain: str) -> Path:
        return (self.output if kind == "domain" else self.pref_dir) / f"{domain}.jsonl"

    def _file(self, path: Path) -> BinaryIO:
        f = self._files.get(path)
        if f is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            f = self._files[path] = path.with_name(path.name + ".tmp").open("wb")
        return f

    def add(self, report: FileReport, batch: Packed) -> None:
        report.read += batch.read
        report.worker_cpu_s += batch.worker_cpu_s
        report.notes.update(batch.notes)
        report.oasst.update(batch.oasst)
        for kind, (keys, lines), tools in (
            ("domain", batch.sft, batch.sft_tools),
            ("preference", batch.pref, batch.pref_tools),
        ):
            if keys:
                self._put(self.path_for(kind, report.domain), keys, lines, report, tools)
        if batch.rejected:
            report.rejected += batch.rejected
            report.tool_lost += batch.tool_lost
            report.reasons.update(batch.reasons)
            self._file(self.rejects_path).write(batch.rejects)

    def _put(self, path: Path, keys: bytes, lines: bytes, report: FileReport, tools: bytes) -> None:
        seen = self._seen.setdefault(path, set())
        dups = []
        for i in range(0, len(keys), KEY_BYTES):
            key = keys[i : i + KEY_BYTES]
            if key in seen:
                dups.append(i // KEY_BYTES)
            else:
                seen.add(key)
        if dups:
            # Rare: only then split the lines (a record line never holds a raw newline).
            kept = lines.split(b"\n")[:-1]
            for i in reversed(dups):
                del kept[i]
            lines = b"".join(line + b"\n" for line in kept)
            report.duplicates += len(dups)
            dup_tools = sum(tools[i] for i in dups)
            report.tool_duplicates += dup_tools
            report.tool_kept -= dup_tools
        report.written += len(keys) // KEY_BYTES - len(dups)
        report.tool_kept += tools.count(1)
        if lines:
            self._file(path).write(lines)

    def commit(self) -> list[Path]:
        for path, f in self._files.items():
            f.close()
            os.replace(f.name, path)
        if self.rejects_path not in self._files and self.rejects_path.exists():
            self.rejects_path.unlink()  # a stale rejects file from an earlier run would mislead
        return [p for p in self._files if p != self.rejects_path]

    def abort(self) -> None:
        for f in self._files.values():
            f.close()
            Path(f.name).unlink(missing_ok=True)


# --- planning ----------------------------------------------------------------------------------


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "domain"


def plan_jobs(inputs: Iterable[Path], output: Path, domain: str | None) -> tuple[list[Job], list[str]]:
    """The files to convert (directories walked recursively, sorted) and the files skipped.

    Each job's ``name`` is its path relative to its ``--input`` (with the input folder's own name in
    front when there are several inputs); the full path where two names would be the same.
    """
    jobs, skipped = [], []
    outs = [output.resolve(), (output.parent / "preferences").resolve()]
    inputs = list(inputs)
    for root in inputs:
        if not root.exists():
            raise InputError(f"{root}: no such file or directory")
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        base = root.parent if root.is_file() else root
        for path in files:
            rel = path.relative_to(base)
            if any(part.startswith(".") for part in rel.parts):
                continue
            if any(path.resolve().is_relative_to(o) for o in outs):
                skipped.append(f"{path} (inside the output folder)")
                continue
            ftype = readers.file_type(path)
            if ftype is None:
                skipped.append(f"{path} (not .jsonl/.json/.csv/.tsv/.parquet)")
                continue
            name = domain or slug(rel.parts[0] if len(rel.parts) > 1 else path.stem)
            shown = f"{root.name}/{rel.as_posix()}" if len(inputs) > 1 and root.is_dir() else rel.as_posix()
            jobs.append(Job(path, rel.as_posix(), str(path), slug(name), ftype, shown))
    names = Counter(job.name for job in jobs)
    for job in jobs:
        if names[job.name] > 1:
            job.name = job.source
    return jobs, skipped


def choose_format(objs: list[Any]) -> tuple[str | None, bool]:
    """The most common format among the first objects (ties go to the earliest seen)."""
    counts: Counter[tuple[str, bool]] = Counter()
    for obj in objs:
        if isinstance(obj, dict):
            fmt, lowered = detect_any(obj)
            if fmt is not None:
                counts[(fmt, lowered)] += 1
    return counts.most_common(1)[0][0] if counts else (None, False)


def _unknown_message(objs: list[Any]) -> str:
    keys = sorted({str(k) for o in objs if isinstance(o, dict) for k in o})
    seen = ", ".join(keys[:30]) or "no object keys"
    return (
        f"no known format; keys seen: {seen}. Known formats: {', '.join(FORMATS)} (use --format to force one)"
    )


# --- running -----------------------------------------------------------------------------------


@dataclass
class Options:
    fmt: str | None = None
    domain: str | None = None
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    chunk_bytes: int = 8 << 20
    oasst_paths: str = "top"  # top: the best-ranked path of each tree; all: every root-to-leaf path
    oasst_preferences: bool = False  # pairs from ranked sibling replies, to ../preferences/
    executor: Any = None  # --executor ray: JSONL chunks converted on a Ray cluster (generate.distributed)


class Converter:
    """Runs the conversion of many files with one writer and (when needed) one process pool."""

    def __init__(self, output: Path, options: Options, progress: Callable[[int], None] | None = None) -> None:
        self.writer = Writer(output)
        self.options = options
        self.progress = progress or (lambda n: None)
        self._pool: ProcessPoolExecutor | None = None
        self._pool_broken = False

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # forkserver: safe next to the threads of a progress bar, unlike fork; an executor (not a
            # Pool) so that a worker that dies raises BrokenProcessPool instead of being respawned forever.
            context = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(self.options.workers, mp_context=context)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=not self._pool_broken, cancel_futures=True)
            self._pool = None

    def run_file(self, job: Job) -> FileReport:
        report = FileReport(job.source, job.domain, job.name or job.relname)
        notes: list[str] = []
        if job.ftype == "jsonl":
            head: list[Any] = readers.head_objects(job.path, DETECT_OBJECTS)
            rows: Iterator[readers.Row] | None = None
        else:
            rows = readers.read_rows(job.path, job.ftype, notes)
            first = list(islice(rows, DETECT_OBJECTS))
            head = [obj for _, obj, _ in first]
            rows = chain(first, rows)
        fmt, lower = (self.options.fmt, False) if self.options.fmt else choose_format(head)
        report.format, report.forced = fmt, bool(self.options.fmt)
        if fmt is None and head:
            report.message = _unknown_message(head)
        ctx = Ctx(
            job.relname,
            job.source,
            job.domain,
            fmt,
            lower,
            bool(self.options.fmt),
            self.options.oasst_paths,
            self.options.oasst_preferences,
        )
        if fmt == "oasst_flat":
            self._run_oasst(ctx, job, rows, report)
        elif rows is None:
            self._run_jsonl(ctx, job, report)
        else:
            self._run_rows(ctx, rows, report)
        if rows is not None or fmt == "oasst_flat":
            self.progress(job.path.stat().st_size)
        report.notes.update(notes)
        if report.read == 0:
            report.message = "empty file: no records"
        return report

    def _run_jsonl(self, ctx: Ctx, job: Job, report: FileReport) -> None:
        chunks = readers.plan_chunks(job.path, self.options.chunk_bytes)
        size = job.path.stat().st_size
        tasks = [(ctx, job.path, s, e, line, e == size) for s, e, line in chunks]
        if self.options.executor is not None and self.options.executor.name == "ray":
            sent = (
                (ctx, readers.read_range(p, s, e), s == 0, line, end) for ctx, p, s, e, line, end in tasks
            )
            for task, batch in zip(tasks, self.options.executor.imap(convert_data, sent), strict=True):
                self.writer.add(report, batch)
                self.progress(task[3] - task[2])
            return
        parallel = len(tasks) > 1 and self.options.workers > 1 and not self._pool_broken
        results = self.pool().map(convert_chunk, tasks) if parallel else map(convert_chunk, tasks)
        done = 0
        try:
            for task, batch in zip(tasks, results, strict=True):
                if not parallel:
                    batch.worker_cpu_s = 0.0  # it ran in this process: already in its own CPU time
                self.writer.add(report, batch)
                self.progress(task[3] - task[2])
                done += 1
        except BrokenProcessPool:
            # Workers that can't start (e.g. a __main__ they can't re-import): go on in this process.
            self._pool_broken = True
            report.notes["worker processes failed; converted in one process"] += 1
            for task in tasks[done:]:
                batch = convert_chunk(task)
                batch.worker_cpu_s = 0.0
                self.writer.add(report, batch)
                self.progress(task[3] - task[2])

    def _run_rows(self, ctx: Ctx, rows: Iterator[readers.Row], report: FileReport) -> None:
        while True:
            batch = Batch()
            for line, obj, raw in islice(rows, 10_000):
                batch.read += 1
                if isinstance(obj, readers.RowError):
                    batch.reject(ctx, line, obj.reason, raw)
                else:
                    convert_obj(ctx, obj, line, raw, batch)
            if batch.read == 0:
                return
            self.writer.add(report, batch.pack())

    def _run_oasst(self, ctx: Ctx, job: Job, rows: Iterator[readers.Row] | None, report: FileReport) -> None:
        notes: list[str] = []
        batch = Batch()
        table: list[oasst.Row] = []
        for line, obj, raw in rows if rows is not None else readers.read_rows(job.path, "jsonl", notes):
            batch.read += 1
            if isinstance(obj, readers.RowError):
                batch.reject(ctx, line, obj.reason, raw)
            elif not isinstance(obj, dict):
                batch.reject(ctx, line, f"expected a JSON object, got {type(obj).__name__}", raw)
            else:
                table.append(oasst.Row(line, lower_keys(obj) if ctx.lower else obj))
        trees, orphans = oasst.trees_from_table(table, batch.oasst)
        for row, reason in orphans:
            batch.reject(ctx, row.line, reason, orjson.dumps(row.obj))
        for root in trees:
            tree = oasst.walk(
                root, ctx.oasst_paths, ctx.oasst_preferences, notes, lambda n: f"message {n.key}"
            )
            emit_tree(ctx, tree, "oasst_flat", root.line, orjson.dumps(root.obj), batch)
        batch.notes.update(notes)
        self.writer.add(report, batch.pack())


def convert_inputs(
    inputs: list[Path],
    output: Path,
    options: Options | None = None,
    progress: Callable[[int], None] | None = None,
    jobs: list[Job] | None = None,
) -> Summary:
    """Convert every input file; outputs move into place only when all files are done."""
    options = options or Options()
    if options.fmt is not None and options.fmt not in FORMATS:
        raise InputError(f"unknown format {options.fmt!r}; known formats: {', '.join(FORMATS)}")
    if options.oasst_paths not in oasst.PATH_CHOICES:
        raise InputError(
            f"unknown OASST paths {options.oasst_paths!r}; choose {' or '.join(oasst.PATH_CHOICES)}"
        )
    skipped: list[str] = []
    if jobs is None:
        jobs, skipped = plan_jobs(inputs, output, options.domain)
    converter = Converter(output, options, progress)
    reports = []
    try:
        for job in jobs:
            reports.append(converter.run_file(job))
        outputs = converter.writer.commit()
    except BaseException:
        converter.writer.abort()
        raise
    finally:
        converter.close()
    rejects = converter.writer.rejects_path if any(r.rejected for r in reports) else None
    return Summary(reports, skipped, outputs, rejects)
