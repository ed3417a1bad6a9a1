"""Records on disk -> token datasets for TRL, with the data mixture and the length policy applied.

    samples, report = sft_samples(cfg.data, tokenizer)          # rendered, mask-checked
    dataset, report = build_sft_dataset(cfg, tokenizer)         # token columns, packed or not
    dataset, report = build_dpo_dataset(cfg, tokenizer)

Records are read with ``json.loads`` line by line and validated with the record models, never through
``datasets.load_dataset``: Arrow merges dict keys across rows, so tool-call arguments and tool
parameters would gain ``null`` keys that the chat template then prints into the training text. The
datasets built here hold token columns only (ids, labels, masks, lengths), which Arrow cannot alter.

Mixture: a weight per kind (``trajectory``) or per ``kind/category`` (``trajectory/devops``, which wins).
1.0 keeps every record once, 0.5 a deterministic half (chosen by a hash of the id and the seed), 2.5
every record twice plus a deterministic half; 0 leaves the group out.

Length: a sample longer than ``max_length`` is dropped, or (``overlong: split``) cut into pieces at
turn boundaries. Every piece repeats the conversation's head (system prompt and first user message,
never trained) and continues where the previous piece ended; a piece does not see the observations
of earlier pieces. Both are counted in the report; nothing is truncated mid-turn.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agentic_pipeline.layout import KIND_DIRS
from agentic_pipeline.records import dump_record, parse_record
from agentic_pipeline.render import Rendered, render_conversation, render_preference
from agentic_pipeline.train.config import DataConfig, TrainConfig
from agentic_pipeline.train.pack import PackStats, pack_samples, unpacked_rows

log = logging.getLogger(__name__)

SFT_KINDS = ("trajectory", "reasoning", "domain", "conversation")
DPO_KINDS = ("preference",)


class DataError(ValueError):
    """Training data that cannot be used; the message names the file, the line or the record."""


@dataclass
class Loaded:
    record: dict[str, Any]  # the record as parsed JSON, validated, None-valued message fields left out
    path: Path
    line: int

    @property
    def group(self) -> str:
        return f"{self.record['kind']}/{self.record.get('category', '')}"


@dataclass
class DataReport:
    files: int = 0
    records: Counter = field(default_factory=Counter)  # group -> records read
    selected: Counter = field(default_factory=Counter)  # group -> records after the mixture
    samples: int = 0
    overlong_records: int = 0
    overlong_dropped: int = 0  # records (SFT) or pairs (DPO) dropped for length
    split_pieces: int = 0  # pieces produced from overlong records
    split_blocks_dropped: int = 0  # single turns longer than max_length even alone (split mode)
    tokens: int = 0
    trained_tokens: int = 0
    pack: PackStats | None = None
    unit: str = "samples"  # "pairs" for DPO

    @property
    def trained_share(self) -> float:
        return self.trained_tokens / self.tokens if self.tokens else 0.0

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "pack"}
        out["records"], out["selected"] = dict(self.records), dict(self.selected)
        out["trained_share"] = round(self.trained_share, 4)
        if self.pack:
            out["pack"] = {
                "rows": self.pack.rows,
                "sequences": self.pack.sequences,
                "efficiency": round(self.pack.efficiency, 4),
                "dropped_tokens": self.pack.dropped_tokens,
            }
        return out

    def lines(self) -> list[str]:
        out = [f"read {sum(self.records.values())} records from {self.files} files"]
        for group in sorted(self.records):
            out.append(f"  {group}: {self.records[group]} read, {self.selected[group]} after mixture")
        out.append(
            f"{self.samples} {self.unit}, {self.tokens} tokens, {self.trained_tokens} trained "
            f"({100 * self.trained_share:.1f}%)"
        )
        if self.overlong_records:
            out.append(
                f"over max_length: {self.overlong_records} records -> {self.overlong_dropped} dropped, "
                f"{self.split_pieces} pieces from splitting, {self.split_blocks_dropped} turns too long alone"
            )
        if self.pack:
            out.append(
                f"packed {self.pack.sequences} samples into {self.pack.rows} rows of {self.pack.capacity}: "
                f"{100 * self.pack.efficiency:.2f}% real tokens, {self.pack.dropped_tokens} dropped"
            )
        return out


# --- reading -------------------------------------------------------------------------------------------


def data_files(data_dir: Path, kinds: tuple[str, ...]) -> list[tuple[Path, str]]:
    """(file, kind) for every ``.jsonl`` of these kinds, in a stable order."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DataError(f"{data_dir}: no such data directory")
    out = []
    for kind in kinds:
        folder = data_dir / KIND_DIRS[kind]
        out.extend((p, kind) for p in sorted(folder.rglob("*.jsonl")) if p.is_file())
    return out


def read_records(data_dir: Path, kinds: tuple[str, ...], report: DataReport | None = None) -> list[Loaded]:
    """Every record of these kinds, parsed as JSON and validated; a bad line raises ``DataError``."""
    out: list[Loaded] = []
    files = data_files(data_dir, kinds)
    for path, kind in files:
        with path.open(encoding="utf-8") as handle:
            for n, line in enumerate(handle, 1):
                if line.strip():
                    out.append(Loaded(_parse_line(line, path, n, kind), path, n))
    if report is not None:
        report.files = len(files)
        report.records.update(item.group for item in out)
    return out


def _parse_line(line: str, path: Path, n: int, kind: str) -> dict[str, Any]:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}:{n}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise DataError(f"{path}:{n}: expected a JSON object (a record), got {type(obj).__name__}")
    try:
        return dump_record(parse_record(obj, kind=kind))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise DataError(f"{path}:{n}: not a valid {kind} record: {where}: {first['msg']}") from None


# --- mixture -------------------------------------------------------------------------------------------


def weight_of(group: str, weights: dict[str, float]) -> float:
    kind = group.split("/", 1)[0]
    return weights.get(group, weights.get(kind, 1.0))


def _rank(record_id: str, seed: int) -> str:
    return hashlib.sha256(f"{seed}:{record_id}".encode()).hexdigest()


def apply_mixture(items: list[Loaded], weights: dict[str, float], seed: int) -> list[Loaded]:
    """Repeat or subsample each group by its weight, deterministically (same data, seed -> same set)."""
    groups: dict[str, list[Loaded]] = {}
    for item in items:
        groups.setdefault(item.group, []).append(item)
    out: list[Loaded] = []
    for group, members in groups.items():
        w = weight_of(group, weights)
        whole, frac = int(w), w - int(w)
        out.extend(members * whole)
        if frac:
            ranked = sorted(members, key=lambda it: _rank(it.record["id"], seed))
            out.extend(ranked[: round(frac * len(members))])
    return out


# --- SFT -----------------------------------------------------------------------------------------------


@dataclass
class Sample:
    input_ids: list[int]
    assistant_mask: list[int]
    record_id: str
    piece: int = 0  # >0 for the pieces of a split record


def _check_mask(rendered: Rendered, item: Loaded, what: str = "") -> None:
    if not any(rendered.assistant_mask):
        raise DataError(
            f"{item.path}:{item.line}: record {item.record['id']!r}{what} renders with an empty assistant mask "
            "(no assistant text or tool call to learn from)"
        )


def _head_end(messages: list[dict]) -> int:
    """Messages kept at the start of every split piece: the system prompt(s) and the first user turn."""
    for i, message in enumerate(messages):
        if message["role"] == "user":
            return i + 1
    return next((i for i, m in enumerate(messages) if m["role"] != "system"), len(messages))


def _blocks(messages: list[dict], start: int) -> list[tuple[int, int]]:
    """Turn boundaries: a block is a user turn, or an assistant turn with the tool results that answer it."""
    blocks: list[tuple[int, int]] = []
    for i in range(start, len(messages)):
        if messages[i]["role"] == "tool" and blocks:
            blocks[-1] = (blocks[-1][0], i + 1)
        else:
            blocks.append((i, i + 1))
    return blocks


def plan_split(head: int, blocks: list[int], max_length: int) -> tuple[list[tuple[int, int]], int]:
    """Which consecutive blocks go in each piece, given token lengths: (block ranges, blocks skipped).

    Uses as few pieces as cutting greedily would, but cuts where the pieces come out about equal in
    size: greedy cutting leaves every full piece a few hundred tokens short of max_length, a gap no
    whole sample fits in when packing, while balanced pieces pack around the other samples. A block
    that does not fit beside the head even alone is skipped (counted) and forces a cut.
    """
    runs: list[list[int]] = [[]]
    skipped = 0
    for j, n in enumerate(blocks):
        if head + n > max_length:
            skipped += 1
            runs.append([])
        else:
            runs[-1].append(j)
    out: list[tuple[int, int]] = []
    for run in filter(None, runs):
        out.extend(_balanced(head, run, blocks, max_length))
    return out, skipped


def _greedy_count(head: int, sizes: list[int], max_length: int) -> int:
    count, current = 1, 0
    for n in sizes:
        if current and head + current + n > max_length:
            count, current = count + 1, 0
        current += n
    return count


def _balanced(head: int, run: list[int], blocks: list[int], max_length: int) -> list[tuple[int, int]]:
    sizes = [blocks[j] for j in run]
    k = _greedy_count(head, sizes, max_length)
    target = sum(sizes) / k
    cuts, current, done = [], 0, 0
    for i, n in enumerate(sizes):
        # Cut before this block when it would overflow, or when the piece is past its equal share.
        if current and (head + current + n > max_length or done + n / 2 > target * (len(cuts) + 1)):
            cuts.append(i)
            current = 0
        current += n
        done += n
    bounds = [0, *cuts, len(sizes)]
    return [(run[bounds[i]], run[bounds[i + 1] - 1] + 1) for i in range(len(bounds) - 1)]


def split_at_turns(record: dict[str, Any], tokenizer: Any, max_length: int) -> tuple[list[Rendered], int]:
    """Pieces of at most max_length tokens cut at turn boundaries, and how many turns fit in none."""
    messages, tools = record["messages"], record.get("tools")
    head_end = _head_end(messages)
    head = messages[:head_end]
    blocks = _blocks(messages, head_end)
    # Block lengths from renders of growing prefixes (the template renders turn by turn, and every
    # turn starts at a special token, so lengths add up); each piece is then rendered and checked.
    sizes, previous = [], len(render_conversation(head, tools, tokenizer).input_ids) if head else 0
    head_len = previous
    for _, end in blocks:
        total = len(render_conversation(head + messages[blocks[0][0] : end], tools, tokenizer).input_ids)
        sizes.append(total - previous)
        previous = total
    ranges, skipped = plan_split(head_len, sizes, max_length)
    pieces = []
    for first, last in ranges:
        piece = render_conversation(head + messages[blocks[first][0] : blocks[last - 1][1]], tools, tokenizer)
        if len(piece.input_ids) > max_length:
            raise DataError(
                f"record {record['id']!r}: a piece of {len(piece.input_ids)} tokens came out over max_length "
                f"{max_length} (the chat template does not render turns independently)"
            )
        if any(piece.assistant_mask):
            pieces.append(piece)
    return pieces, skipped


def sft_samples(data: DataConfig, tokenizer: Any, report: DataReport | None = None) -> list[Sample]:
    """Render every selected SFT record; enforce max_length by the configured policy."""
    report = report if report is not None else DataReport()
    items = apply_mixture(read_records(data.data_dir, SFT_KINDS, report), data.weights, data.seed)
    report.selected.update(item.group for item in items)
    rendered_cache: dict[int, list[Sample]] = {}  # a record repeated by the mixture is rendered once
    samples: list[Sample] = []
    for item in items:
        key = id(item.record)
        if key not in rendered_cache:
            rendered_cache[key] = _render_sft(item, tokenizer, data, report)
        samples.extend(rendered_cache[key])
    report.samples = len(samples)
    report.tokens = sum(len(s.input_ids) for s in samples)
    report.trained_tokens = sum(sum(s.assistant_mask) for s in samples)
    if data.overlong == "drop" and report.overlong_records:
        log.warning("dropped %d records longer than %d tokens", report.overlong_dropped, data.max_length)
    return samples


def _render_sft(item: Loaded, tokenizer: Any, data: DataConfig, report: DataReport) -> list[Sample]:
    record = item.record
    rendered = render_conversation(record["messages"], record.get("tools"), tokenizer)
    _check_mask(rendered, item)
    if len(rendered.input_ids) <= data.max_length:
        return [Sample(rendered.input_ids, rendered.assistant_mask, record["id"])]
    report.overlong_records += 1
    if data.overlong == "drop":
        report.overlong_dropped += 1
        return []
    pieces, skipped = split_at_turns(record, tokenizer, data.max_length)
    report.split_pieces += len(pieces)
    report.split_blocks_dropped += skipped
    if not pieces:
        report.overlong_dropped += 1
    return [Sample(p.input_ids, p.assistant_mask, record["id"], k + 1) for k, p in enumerate(pieces)]


def build_sft_dataset(cfg: TrainConfig, tokenizer: Any) -> tuple[Any, DataReport]:
    """A ``datasets.Dataset`` of ``input_ids`` / ``labels`` / ``seq_lengths`` rows for SFTTrainer."""
    from datasets import Dataset

    report = DataReport()
    samples = sft_samples(cfg.data, tokenizer, report)
    if not samples:
        raise DataError(f"{cfg.data.data_dir}: no SFT sample to train on (kinds: {', '.join(SFT_KINDS)})")
    pairs = [(s.input_ids, s.assistant_mask) for s in samples]
    if cfg.sft.packing:
        columns, report.pack = pack_samples(pairs, cfg.data.max_length)
    else:
        columns = unpacked_rows(pairs)
    return Dataset.from_dict(columns), report


# --- DPO -----------------------------------------------------------------------------------------------


@dataclass
class Pair:
    chosen: Rendered
    rejected: Rendered
    prompt_len: int  # tokens shared by both (the rendered prompt)
    record_id: str


def _common_prefix(a: Sequence[Any], b: Sequence[Any]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def dpo_pairs(data: DataConfig, tokenizer: Any, report: DataReport | None = None) -> list[Pair]:
    """Render each preference record as prompt + chosen and prompt + rejected; only continuations train."""
    report = report if report is not None else DataReport()
    report.unit = "pairs"
    items = apply_mixture(read_records(data.data_dir, DPO_KINDS, report), data.weights, data.seed)
    report.selected.update(item.group for item in items)
    pairs: list[Pair] = []
    for item in items:
        r = item.record
        chosen, rejected = render_preference(
            r["prompt"], r["chosen"], r["rejected"], r.get("tools"), tokenizer
        )
        _check_mask(chosen, item, " (chosen)")
        _check_mask(rejected, item, " (rejected)")
        if max(len(chosen.input_ids), len(rejected.input_ids)) > data.max_length:
            # A pair is compared as a whole, so it is never split; it is dropped and counted.
            report.overlong_records += 1
            report.overlong_dropped += 1
            continue
        pairs.append(Pair(chosen, rejected, _common_prefix(chosen.input_ids, rejected.input_ids), r["id"]))
    report.samples = len(pairs)
    report.tokens = sum(len(p.chosen.input_ids) + len(p.rejected.input_ids) for p in pairs)
    report.trained_tokens = sum(sum(p.chosen.assistant_mask) + sum(p.rejected.assistant_mask) for p in pairs)
    return pairs


def build_dpo_dataset(cfg: TrainConfig, tokenizer: Any) -> tuple[Any, DataReport]:
    """Rows for DPOTrainer: our token ids and continuation masks, plus the texts TRL requires.

    DPOTrainer 1.16 always tokenizes ``prompt`` / ``chosen`` / ``rejected`` itself and its collator then
    trains every token of a continuation, tool observations included. The rows therefore also carry
    ``chosen_input_ids`` / ``chosen_mask`` (and rejected), and ``PreferenceCollator`` builds the batch
    from those: the texts are only there to satisfy TRL's preparation step.
    """
    from datasets import Dataset

    report = DataReport()
    pairs = dpo_pairs(cfg.data, tokenizer, report)
    if not pairs:
        raise DataError(f"{cfg.data.data_dir}: no preference pair to train on")
    columns: dict[str, list[Any]] = {
        k: []
        for k in (
            "prompt",
            "chosen",
            "rejected",
            "chosen_input_ids",
            "chosen_mask",
            "rejected_input_ids",
            "rejected_mask",
        )
    }
    for pair in pairs:
        # Split the texts where the shared tokens end, not where the shared characters end: a cut
        # inside a token makes TRL warn that the prompt is not a token prefix of prompt+completion.
        prompt = tokenizer.decode(pair.chosen.input_ids[: pair.prompt_len])
        if not (pair.chosen.text.startswith(prompt) and pair.rejected.text.startswith(prompt)):
            prompt = pair.chosen.text[: _common_prefix(pair.chosen.text, pair.rejected.text)]
        columns["prompt"].append(prompt)
        columns["chosen"].append(pair.chosen.text[len(prompt) :])
        columns["rejected"].append(pair.rejected.text[len(prompt) :])
        for name, rendered in (("chosen", pair.chosen), ("rejected", pair.rejected)):
            columns[f"{name}_input_ids"].append(rendered.input_ids)
            columns[f"{name}_mask"].append(rendered.assistant_mask)
    return Dataset.from_dict(columns), report
