"""The validator: every line of every ``.jsonl`` under a data directory through a plain list of steps.

Per record, in worker processes (files are cut into byte ranges on line boundaries):
read -> schema -> semantic rules -> held-out split -> grounding -> secrets/PII -> decontamination -> render
with the chat template; then the chunk's renders are tokenized as one batch (lengths, trainable tokens), and
the exact-duplicate key and MinHash signature are computed. In the parent, in file order:
exact and near duplicates across all files, duplicate prompts, files that define tools and never call
one (``curate/quality.py``, with the per-record ``repetition`` check), balance and token statistics, the grounding rate, the
report. Grounding findings (``agentic_pipeline/grounding.py``: an assistant turn refers to a name, path, line
or error it was never shown) are warnings, errors with ``strict_grounding``. A record made from a task
of the held-out eval split (``curate/heldout.py``) is an ``eval_contamination`` error in training data
(``split="train"``, the default).

Each step returns ok or a reason, and the reasons are counted per check. ``--fix OUT_DIR`` writes
the dataset again in the same layout without the records that have an error (or are near
duplicates of an earlier record), with secrets and e-mail addresses redacted instead of dropped,
and every dropped record with its reasons in ``OUT_DIR/rejected/<check>.jsonl``.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from agentic_pipeline import grounding
from agentic_pipeline.curate import balance, decontam, dedup, heldout, length, quality, secrets, semantics
from agentic_pipeline.curate.reader import DEFAULT_MAX_LINE_BYTES, Chunk, Line, plan_chunks, read_chunk
from agentic_pipeline.curate.report import ERROR, WARNING, Finding, Report
from agentic_pipeline.curate.schema import check_schema
from agentic_pipeline.curate.textnorm import normalize
from agentic_pipeline.layout import kind_from_path
from agentic_pipeline.render import TemplateError, uses_fast_path

REJECTED_DIR = "rejected"
# The fast chat-template renderer is checked against jinja on the first records of each worker and
# then on one record in VERIFY_EVERY; a mismatch is a finding, never a silent difference.
VERIFY_FIRST, VERIFY_EVERY = 32, 50
APPROXIMATE_NOTE = (
    "token counts use the package's tiny offline tokenizer and are approximate (it splits text into "
    "more tokens than a real Qwen tokenizer); pass --tokenizer for exact counts"
)


@dataclass
class Options:
    data_dir: Path
    tokenizer: str | None = None
    max_tokens: int = length.DEFAULT_MAX_TOKENS
    targets: dict[str, int] = field(default_factory=lambda: dict(balance.TARGETS))
    decontaminate: list[Path] = field(default_factory=list)
    ngram: int = decontam.DEFAULT_NGRAM
    near_dup: bool = True
    near_dup_threshold: float = dedup.DEFAULT_THRESHOLD
    workers: int = 0  # 0: one per CPU core
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    chunk_bytes: int = 4 * 1024 * 1024
    strict_grounding: bool = False  # grounding findings are errors, not warnings
    # What the folder holds: train data (records of eval-split sources are errors), eval data (records
    # of train sources are), or all (no split check).
    split: str = "train"
    # --executor ray: chunks validated on a Ray cluster's nodes (generate.distributed); None: here.
    executor: Any = field(default=None, compare=False, repr=False)


@dataclass(slots=True)
class RecordInfo:
    line: int
    id: str | None
    kind: str
    category: str
    tokens: int = 0
    trainable: int = 0
    exact: bytes | None = None
    signature: np.ndarray | None = None
    hits: list[secrets.Hit] = field(default_factory=list)
    grounding: dict[str, int] | None = None  # ungrounded references per rule; None: not checked
    prompt: bytes | None = None  # exact key of the normalised first user turn (quality.prompt)
    prompt_signature: np.ndarray | None = None
    origin: tuple[Any, Any] | None = None  # (metadata.source, metadata.line) of a converted record
    tools: tuple[bool, bool] = (False, False)  # (defines tools, calls one)


@dataclass
class ChunkResult:
    file: str
    findings: list[Finding]
    records: list[RecordInfo]
    nbytes: int
    rendered: int = 0
    verified: int = 0


# --- per record (worker side) -------------------------------------------------------------------------


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _training_text(obj: dict[str, Any]) -> str:
    """What a record teaches: every turn but the system prompt (shared by many records), with calls."""
    messages = obj.get("messages") or (
        obj.get("prompt", []) + obj.get("chosen", []) + obj.get("rejected", [])
    )
    parts = []
    for m in messages:
        if m.get("role") == "system":
            continue
        if isinstance(m.get("content"), str):
            parts.append(m["content"])
        for call in m.get("tool_calls") or []:
            function = call.get("function", {})
            parts.append(f"{function.get('name')} {orjson.dumps(function.get('arguments')).decode()}")
    return "\n".join(parts)


class _Worker:
    """Per-process state: the tokenizer, the benchmark n-grams, the options."""

    def __init__(self, options: Options, benchmark: np.ndarray) -> None:
        self.options = options
        self.benchmark = benchmark
        self.tokenizer = length.load(options.tokenizer)
        self.fast = uses_fast_path(self.tokenizer)
        self.rendered = 0
        self.last_tools: list | None = None
        self.tools_hits: list[secrets.Hit] = []

    def _verify_now(self) -> bool:
        self.rendered += 1
        return self.rendered <= VERIFY_FIRST or self.rendered % VERIFY_EVERY == 0

    def process(self, chunk: Chunk) -> ChunkResult:
        file = str(chunk.path.relative_to(self.options.data_dir))
        path_kind = kind_from_path(chunk.path, self.options.data_dir)
        result = ChunkResult(file, [], [], chunk.end - chunk.start)
        renderings: list[tuple[RecordInfo, length.Rendering]] = []

        def finding(info_or_line: RecordInfo | Line, check: str, severity: str, message: str) -> None:
            rid = info_or_line.id if isinstance(info_or_line, RecordInfo) else None
            line = info_or_line.line if isinstance(info_or_line, RecordInfo) else info_or_line.number
            result.findings.append(Finding(file, line, rid, check, severity, message))

        for line in read_chunk(chunk, self.options.max_line_bytes):
            if line.bom:
                finding(line, "read", WARNING, "the file starts with a UTF-8 byte order mark (ignored)")
            if line.check:
                finding(line, line.check, ERROR, line.message or "")
                continue
            rendering = self._record(line, path_kind, finding, result)
            if rendering is not None:
                renderings.append(rendering)
        self._measure(renderings, finding)
        return result

    def _record(self, line: Line, path_kind: str | None, finding: Callable, result: ChunkResult):
        obj = line.obj
        rid = obj.get("id") if isinstance(obj.get("id"), str) else None
        record, reason = check_schema(obj, path_kind)
        if record is None:
            finding(line, "schema", ERROR, reason)
            result.findings[-1].id = rid
            return None
        info = RecordInfo(line.number, record.id, record.kind, record.category)
        result.records.append(info)
        for check, rule in semantics.RULES:
            outcome = rule(record)
            if outcome is not True:
                finding(info, check, ERROR, outcome[1])
        held_out = heldout.check(obj.get("metadata"), self.options.split)
        if held_out is not None:
            finding(info, held_out[0], ERROR, held_out[1])
        found = grounding.check(record)
        if found is not None:
            info.grounding = grounding.counts(found)
            if found:
                severity = ERROR if self.options.strict_grounding else WARNING
                finding(info, grounding.CHECK, severity, grounding.describe(found))
        self._text_checks(obj, info, finding)
        self._quality(obj, info, finding)
        try:
            verify = self.fast and self._verify_now()
            rendering = length.render_record(obj, self.tokenizer, verify=verify)
            result.rendered += 1
            result.verified += verify
        except (TemplateError, KeyError, TypeError, ValueError) as exc:
            finding(info, "render", ERROR, f"cannot render with the chat template: {exc}")
            return None
        return info, rendering

    def _scan(self, obj: dict[str, Any]) -> list[secrets.Hit]:
        """Secrets and e-mails in all the record's strings. The tool definitions are scanned once per
        distinct list: thousands of records share them."""
        tools = obj.get("tools") or []
        if tools != self.last_tools:
            self.last_tools, self.tools_hits = tools, secrets.scan("\n".join(_strings(tools)))
        hits = secrets.scan("\n".join(_strings({k: v for k, v in obj.items() if k != "tools"})))
        seen = {h.value for h in hits}
        return hits + [h for h in self.tools_hits if h.value not in seen]

    def _text_checks(self, obj: dict[str, Any], info: RecordInfo, finding: Callable) -> None:
        info.hits = self._scan(obj)
        found_secrets = sorted({h.kind for h in info.hits if h.secret})
        if found_secrets:
            finding(info, "secrets", ERROR, f"possible secret(s): {', '.join(found_secrets)}")
        emails = [h.value for h in info.hits if not h.secret]
        if emails:
            local, _, domain = emails[0].partition("@")  # the report itself must not spread the address
            finding(info, "pii", WARNING, f"{len(emails)} e-mail address(es), e.g. {local[:1]}***@{domain}")
        norm = normalize(_training_text(obj))
        info.exact = dedup.exact_key(norm)
        if self.options.near_dup:
            info.signature = dedup.signature(norm)
        if self.benchmark.size:
            shared = decontam.overlap(norm, self.benchmark, self.options.ngram)
            if shared:
                finding(
                    info,
                    "contamination",
                    ERROR,
                    f"shares {shared} word {self.options.ngram}-gram(s) with the --decontaminate files",
                )

    def _quality(self, obj: dict[str, Any], info: RecordInfo, finding: Callable) -> None:
        reason = quality.repetition(obj)
        if reason is not None:
            finding(info, "repetition", WARNING, reason)
        info.tools = quality.uses_tools(obj)
        text = quality.prompt(obj) if self.options.near_dup else None
        if text is not None:
            norm = normalize(text)
            if norm.size:
                info.prompt = dedup.exact_key(norm)
                info.origin = quality.origin(obj)
                info.prompt_signature = dedup.signature(norm)

    def _measure(self, renderings: list[tuple[RecordInfo, length.Rendering]], finding: Callable) -> None:
        counts = length.measure([r for _, r in renderings], self.tokenizer)
        for (info, _), (tokens, trainable) in zip(renderings, counts, strict=True):
            info.tokens, info.trainable = tokens, trainable
            for check, reason in length.check(tokens, trainable, self.options.max_tokens):
                finding(info, check, ERROR, reason)


_WORKER: _Worker | None = None


def _init_worker(options: Options, benchmark: np.ndarray) -> None:
    global _WORKER
    _WORKER = _Worker(options, benchmark)


def _process(chunk: Chunk) -> ChunkResult:
    assert _WORKER is not None
    return _WORKER.process(chunk)


# --- whole dataset (parent side) ----------------------------------------------------------------------


def find_files(data_dir: Path) -> list[Path]:
    """Every ``.jsonl`` under the data directory, except those in a ``rejected/`` folder at any depth:
    what ``--fix`` dropped (``rejected/``), failed episodes (``rejected/trajectories/``) and the lines
    ``agentic convert`` could not convert (``domain/rejected/convert.jsonl``) are not records."""
    return sorted(
        p for p in data_dir.rglob("*.jsonl") if REJECTED_DIR not in p.relative_to(data_dir).parts[:-1]
    )


@dataclass
class _Merge:
    """Cross-file state, filled in file order."""

    near: dedup.NearDuplicates | None
    near_prompts: dedup.NearDuplicates | None = None
    exact: dict[bytes, str] = field(default_factory=dict)
    prompts: dict[bytes, tuple[str, tuple[Any, Any] | None]] = field(default_factory=dict)
    origins: dict[str, tuple[Any, Any] | None] = field(default_factory=dict)  # for near_prompts hits
    tools: dict[str, list[int]] = field(default_factory=dict)  # file -> [records defining, calling]
    tokens: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))
    records: int = 0
    redact: dict[tuple[str, int], list[secrets.Hit]] = field(default_factory=dict)
    grounding_tally: grounding.Tally = field(default_factory=grounding.Tally)

    def add(self, result: ChunkResult, findings: list[Finding]) -> None:
        for info in result.records:
            self.records += 1
            defines, calls = info.tools
            if defines:
                tally = self.tools.setdefault(result.file, [0, 0])
                tally[0] += 1
                tally[1] += calls
            if info.grounding is not None:
                self.grounding_tally.add(info.kind, info.grounding)
            here = f"{result.file}:{info.line}"
            self.tokens[(info.kind, info.category)].append(info.tokens)
            if info.hits:
                self.redact[(result.file, info.line)] = info.hits
            if info.exact is not None:
                first = self.exact.setdefault(info.exact, here)
                if first != here:
                    findings.append(
                        Finding(
                            result.file, info.line, info.id, "duplicate", ERROR, f"exact duplicate of {first}"
                        )
                    )
                    continue
            if self.near is not None and info.signature is not None:
                other = self.near.seen(here, info.signature)
                if other is not None:
                    findings.append(
                        Finding(
                            result.file,
                            info.line,
                            info.id,
                            "near_duplicate",
                            WARNING,
                            f"near duplicate of {other} (estimated Jaccard >= {self.near.threshold})",
                        )
                    )
                    continue
            if info.prompt is not None:
                self._prompt(result.file, here, info, findings)

    def _prompt(self, file: str, here: str, info: RecordInfo, findings: list[Finding]) -> None:
        """``duplicate_prompt``: the same first user turn as an earlier record (see ``quality``)."""
        assert info.prompt is not None
        first, first_origin = self.prompts.setdefault(info.prompt, (here, info.origin))
        how = "the same prompt as"
        if first == here and self.near_prompts is not None and info.prompt_signature is not None:
            other = self.near_prompts.seen(here, info.prompt_signature)
            if other is None:
                self.origins[here] = info.origin
                return
            first, first_origin = other, self.origins.get(other)
            how = f"nearly the same prompt (estimated Jaccard >= {self.near_prompts.threshold}) as"
        if first == here or (info.origin is not None and info.origin == first_origin):
            return
        findings.append(Finding(file, info.line, info.id, "duplicate_prompt", WARNING, f"{how} {first}"))

    def unused_tools(self) -> list[Finding]:
        """``tools_unused``: files whose records define tools and never call one."""
        return [
            Finding(
                file,
                0,
                None,
                "tools_unused",
                WARNING,
                f"{defines} record(s) define tools but no record in the file calls one",
            )
            for file, (defines, calls) in self.tools.items()
            if defines and not calls
        ]


_NODE_WORKER: tuple[Options, _Worker] | None = None


def process_elsewhere(item: tuple[str, int, bytes], options: Options, benchmark: np.ndarray) -> ChunkResult:
    """On a node of a Ray cluster: validate one chunk's bytes (``(file, first line, data)``), written to
    a temporary copy of the file's place under the data directory; one ``_Worker`` per process, as here."""
    global _NODE_WORKER
    rel, first_line, data = item
    with tempfile.TemporaryDirectory(prefix="agentic-validate-") as tmp:
        here = replace(options, data_dir=Path(tmp), executor=None)
        if _NODE_WORKER is None or _NODE_WORKER[0] != replace(here, data_dir=Path(".")):
            _NODE_WORKER = (replace(here, data_dir=Path(".")), _Worker(here, benchmark))
        worker = _NODE_WORKER[1]
        worker.options = here
        path = Path(tmp) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return worker.process(Chunk(path, 0, len(data), first_line))


def _sent(chunks: list[Chunk], data_dir: Path) -> Iterator[tuple[str, int, bytes]]:
    for chunk in chunks:
        with chunk.path.open("rb") as f:
            f.seek(chunk.start)
            data = f.read(chunk.end - chunk.start)
        yield str(chunk.path.relative_to(data_dir)), chunk.first_line, data


def _results(chunks: list[Chunk], options: Options, benchmark: np.ndarray) -> Iterator[ChunkResult]:
    if options.executor is not None and options.executor.name == "ray":
        # The driver reads each chunk and sends its bytes (the nodes need no access to the data); the
        # results come back in order, so the report is the one a local run writes.
        remote = replace(options, executor=None)
        yield from options.executor.imap(
            process_elsewhere, _sent(chunks, options.data_dir), (remote, benchmark)
        )
        return
    workers = options.workers or os.cpu_count() or 1
    if workers <= 1 or len(chunks) <= 1:
        worker = _Worker(options, benchmark)
        yield from map(worker.process, chunks)
        return
    # fork: workers inherit the loaded modules; the parent has not run the tokenizer yet, so the
    # tokenizers library keeps its own threads in the children.
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    )
    with context.Pool(min(workers, len(chunks)), _init_worker, (options, benchmark)) as pool:
        yield from pool.imap(_process, chunks)
        pool.close()  # let the workers exit on their own (so their CPU time is accounted to the parent)
        pool.join()


def validate(options: Options, progress: Callable[[int, int], None] | None = None) -> Report:
    """Validate a data directory; ``progress(done_bytes, total_bytes)`` is called as chunks finish."""
    started = time.perf_counter()
    heldout.check_split(options.split)  # a bad value stops here, not once per record in the workers
    data_dir = options.data_dir
    files = find_files(data_dir)
    findings: list[Finding] = []
    for path in files:
        if path.stat().st_size == 0:
            findings.append(Finding(str(path.relative_to(data_dir)), 0, None, "read", WARNING, "empty file"))
    chunks = plan_chunks(files, options.chunk_bytes)
    total = sum(c.end - c.start for c in chunks)
    benchmark = decontam.load_benchmark_ngrams(options.decontaminate, options.ngram)
    merge = _Merge(
        dedup.NearDuplicates(options.near_dup_threshold) if options.near_dup else None,
        dedup.NearDuplicates(options.near_dup_threshold) if options.near_dup else None,
    )
    done = rendered = verified = 0
    for result in _results(chunks, options, benchmark):
        findings.extend(result.findings)
        merge.add(result, findings)
        rendered += result.rendered
        verified += result.verified
        done += result.nbytes
        if progress:
            progress(done, total)
    findings.extend(merge.unused_tools())
    findings.sort(key=lambda f: (f.file, f.line))
    report = Report(findings)
    tokenizer = length.load(options.tokenizer)
    seconds = time.perf_counter() - started
    report.summary = {
        "data_dir": str(data_dir),
        "files": len(files),
        "records": merge.records,
        "records_with_errors": len({(f.file, f.line) for f in findings if f.severity == ERROR and f.line}),
        "errors": report.errors,
        "warnings": report.warnings,
        "by_check": report.by_check(),
        "tokenizer": getattr(tokenizer, "name_or_path", str(options.tokenizer)),
        "token_counts_approximate": length.approximate(tokenizer),
        "note": APPROXIMATE_NOTE if length.approximate(tokenizer) else "",
        "max_tokens": options.max_tokens,
        "render": {
            "fast_path": uses_fast_path(tokenizer),
            "rendered": rendered,
            "verified_against_jinja": verified,
        },
        "near_duplicates": {"enabled": options.near_dup, "threshold": options.near_dup_threshold},
        "decontamination": {"files": [str(p) for p in options.decontaminate], "ngram": options.ngram},
        "split": options.split,
        "balance": balance.summarize(merge.tokens, options.targets),
        "grounding": merge.grounding_tally.summary(options.strict_grounding),
        "bytes": total,
        "seconds": round(seconds, 3),
        "records_per_s": round(merge.records / seconds, 1) if seconds else None,
        "mb_per_s": round(total / 1e6 / seconds, 2) if seconds else None,
    }
    report.redactions = merge.redact
    return report


# --- --fix ---------------------------------------------------------------------------------------------

# Checks whose findings do not drop a record: secrets and e-mails are redacted, the rest are notes.
NOT_DROPPED = {"secrets", "pii"}


def _drop_reasons(report: Report) -> dict[tuple[str, int], list[Finding]]:
    drops: dict[tuple[str, int], list[Finding]] = defaultdict(list)
    for f in report.findings:
        if f.line and f.check not in NOT_DROPPED and (f.severity == ERROR or f.check == "near_duplicate"):
            drops[(f.file, f.line)].append(f)
    return drops


def write_fixed(
    report: Report, data_dir: Path, out_dir: Path, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
) -> dict[str, int]:
    """Write the clean dataset under ``out_dir`` (same layout) and ``rejected/<check>.jsonl``.

    Returns counts: kept, dropped, redacted.
    """
    drops = _drop_reasons(report)
    redactions = report.redactions
    counts = {"kept": 0, "dropped": 0, "redacted": 0}
    rejected: dict[str, Any] = {}
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        for path in find_files(data_dir):
            rel = str(path.relative_to(data_dir))
            target = out_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            chunk = Chunk(path, 0, path.stat().st_size, 1)
            with target.open("wb") as out:
                for line in read_chunk(chunk, max_line_bytes):
                    hits = redactions.get((rel, line.number))
                    obj = secrets.redact(line.obj, hits) if hits and line.obj is not None else line.obj
                    reasons = drops.get((rel, line.number))
                    if reasons:
                        check = reasons[0].check
                        if check not in rejected:
                            (out_dir / REJECTED_DIR).mkdir(exist_ok=True)
                            rejected[check] = (out_dir / REJECTED_DIR / f"{check}.jsonl").open("wb")
                        entry = {
                            "file": rel,
                            "line": line.number,
                            "check": check,
                            "reasons": [f"{f.check}: {f.message}" for f in reasons],
                        }
                        if obj is not None:
                            entry["record"] = obj
                        else:
                            entry["raw"] = line.raw.decode("utf-8", "replace")
                        rejected[check].write(orjson.dumps(entry) + b"\n")
                        counts["dropped"] += 1
                    elif obj is not None:
                        out.write((orjson.dumps(obj) if hits else line.raw) + b"\n")
                        counts["kept"] += 1
                        counts["redacted"] += bool(hits)
    finally:
        for f in rejected.values():
            f.close()
    return counts
