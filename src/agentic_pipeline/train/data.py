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
never trained), carries the turn before its first one as context (the previous assistant turn with
its tool calls and the tool results that answered them; no loss), and trains its own turns: every
assistant turn is trained in exactly one piece, and no piece trains a turn on evidence it does not
show. A piece ends with its last trained turn (the results after it open the next piece). A tool
result too long for its piece is shortened as the sandbox shortens output (head and tail, a
``[... output truncated: N bytes dropped ...]`` line between) instead of being dropped with its
turn. A turn that does not fit even then is left out. All of it is counted in the report; nothing
trained is truncated.

A record the chat template cannot render is logged with its file and line and the reason, counted
(``template_errors``) and left out; the other records are kept.
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
from agentic_pipeline.render import (
    Rendered,
    TemplateError,
    assistant_spans,
    render_conversation,
    render_preference,
)
from agentic_pipeline.sandbox import truncate_text
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
    split_pieces_with_context: int = 0  # pieces that carry the turns before them as context (no loss)
    split_blocks_dropped: int = 0  # turns longer than max_length even alone, observations shortened
    split_turns_no_room: int = 0  # assistant turns untrained: the turn they answer does not fit beside them
    observations_shortened: int = 0  # tool results shortened (head + tail + marker) so a piece fits
    template_errors: list[str] = field(default_factory=list)  # "file:line: record ...: why", records skipped
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
                f"{self.split_pieces} pieces from splitting ({self.split_pieces_with_context} carry the turns "
                f"before them as context), {self.observations_shortened} observations shortened to fit, "
                f"{self.split_blocks_dropped} turns too long alone, {self.split_turns_no_room} turns without "
                "room for the turn they answer"
            )
        if self.template_errors:
            out.append(f"chat template failed on {len(self.template_errors)} records, skipped:")
            out.extend(f"  {message}" for message in self.template_errors[:5])
            if len(self.template_errors) > 5:
                out.append(f"  ... and {len(self.template_errors) - 5} more")
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
    context: tuple[int, int] | None = None  # tokens of the earlier turns a piece carries as context (no loss)
    shortened: int = 0  # observations shortened to fit this piece


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


def plan_split(
    head: int,
    blocks: list[int],
    max_length: int,
    *,
    context: list[int] | None = None,
    tails: list[int] | None = None,
    shrinkable: list[bool] | None = None,
    trains: list[bool] | None = None,
) -> tuple[list[tuple[int, int]], int]:
    """Which consecutive blocks each piece trains, given token lengths: (block ranges, blocks in none).

    A piece that starts at block ``j`` holds the head, ``context[j]`` tokens of earlier turns (the
    evidence its first turn answers; 0 without ``context``) and its blocks; a piece that continues
    needs no more, since its earlier blocks are in it. A piece that ends at block ``j`` leaves out
    its last ``tails[j]`` tokens (the tool results after its last trained turn; 0 without ``tails``).
    A piece must fit in ``max_length`` as it is, except a piece of one block marked ``shrinkable``:
    its context's observations are shortened to fit.

    Chosen exactly (dynamic programming): fewest trained blocks lost first, then fewest pieces, then
    pieces of about equal size (least sum of squared sizes). Greedy cutting leaves every full piece a
    few hundred tokens short of max_length, a gap no whole sample fits in when packing, while balanced
    pieces pack around the other samples. A block with ``trains`` false (a user turn) may be left out
    of every piece for free; it is still shown as the context of the piece after it.
    """
    n = len(blocks)
    context = context or [0] * n
    tails = tails or [0] * n
    shrinkable = shrinkable or [False] * n
    trains = trains or [True] * n
    # best[l]: (lost, pieces, sum of squares) to place blocks[:l], and the step that got there
    best: list[tuple[tuple[int, int, int], tuple[int, bool]]] = [((0, 0, 0), (0, False))]
    for last in range(1, n + 1):
        lost, pieces, squares = best[last - 1][0]
        options = [((lost + trains[last - 1], pieces, squares), (last - 1, False))]  # block last-1 in none
        body = 0
        for first in range(last - 1, -1, -1):
            body += blocks[first]
            size = head + context[first] + body - tails[last - 1]
            if size > max_length and not (first == last - 1 and shrinkable[first]):
                if head + body - tails[last - 1] > max_length:
                    break  # longer pieces only grow
                continue
            size = min(size, max_length)
            lost, pieces, squares = best[first][0]
            options.append(((lost, pieces + 1, squares + size * size), (first, True)))
        best.append(min(options))
    ranges: list[tuple[int, int]] = []
    last = n
    while last:
        first, is_piece = best[last][1]
        if is_piece:
            ranges.append((first, last))
        last = first
    ranges.reverse()
    return ranges, n - sum(b - a for a, b in ranges)


# --- split pieces: context carried over, observations shortened to fit ---------------------------------

OBSERVATION_FLOOR_BYTES = 256  # a shortened observation keeps at least its first and last 128 bytes
_FIT_ROUNDS = 12


def _trains(message: dict[str, Any]) -> bool:
    content = message.get("content")
    has_text = isinstance(content, str) and content.strip() != ""
    return message.get("role") == "assistant" and (has_text or bool(message.get("tool_calls")))


def _context_of(roles: list[str], first: int) -> list[int]:
    """Blocks a piece starting at block ``first`` carries as context: the turn before it and, when
    that is a user turn, the assistant turn (with its tool calls and results) before that."""
    if first == 0:
        return []
    if roles[first - 1] == "user" and first >= 2 and roles[first - 2] == "assistant":
        return [first - 2, first - 1]
    return [first - 1]


def _is_observation(message: dict[str, Any]) -> bool:
    return message["role"] == "tool" and isinstance(message.get("content"), str)


def _count(text: str, tokenizer: Any) -> int:
    return len(tokenizer(text, add_special_tokens=False)["input_ids"])


def shorten_observation(text: str, max_tokens: int, tokenizer: Any) -> str:
    """``text`` cut the way the sandbox cuts command output (head and tail kept, a
    ``[... output truncated: N bytes dropped ...]`` line between) to at most ``max_tokens`` tokens,
    keeping as much as fits; never below ``OBSERVATION_FLOOR_BYTES``."""
    if _count(text, tokenizer) <= max_tokens:
        return text
    low, high = OBSERVATION_FLOOR_BYTES, len(text.encode("utf-8")) - 1
    best = truncate_text(text, low)[0]
    while low <= high:
        middle = (low + high) // 2
        cut = truncate_text(text, middle)[0]
        if _count(cut, tokenizer) <= max_tokens:
            best, low = cut, middle + 1
        else:
            high = middle - 1
    return best


def _water_level(counts: list[int], need: int) -> int:
    """The highest cap such that cutting every count above it down to it removes at least ``need``:
    the longest observations are cut first, to equal lengths."""
    ordered = sorted(counts, reverse=True)
    total = 0
    for k, count in enumerate(ordered, 1):
        total += count
        below = ordered[k] if k < len(ordered) else 0
        if total - k * below >= need:
            return max(0, (total - need) // k)
    return 0


def _fit(
    messages: list[dict], start: int, train_from: int, tools: Any, tokenizer: Any, max_length: int
) -> tuple[Rendered, list[dict], int] | None:
    """Render ``messages``; if longer than max_length, shorten the observations from ``start`` on
    (longest first, only as much as needed) until it fits. (rendered, messages, observations
    shortened), or None when even observations at the floor leave it too long."""
    rendered = render_conversation(messages, tools, tokenizer, train_from=train_from)
    if len(rendered.input_ids) <= max_length:
        return rendered, messages, 0
    messages = list(messages)
    observations = [i for i in range(start, len(messages)) if _is_observation(messages[i])]
    original = {i: messages[i]["content"] for i in observations}
    counts = {i: _count(original[i], tokenizer) for i in observations}
    for _ in range(_FIT_ROUNDS):
        excess = len(rendered.input_ids) - max_length
        if excess <= 0:
            return rendered, messages, sum(messages[i]["content"] != original[i] for i in observations)
        cap = _water_level(list(counts.values()), excess)
        changed = False
        for i in observations:
            if counts[i] > cap:
                text = shorten_observation(original[i], cap, tokenizer)
                if text != messages[i]["content"]:
                    messages[i] = {**messages[i], "content": text}
                    counts[i] = _count(text, tokenizer)
                    changed = True
        if not changed:
            return None
        rendered = render_conversation(messages, tools, tokenizer, train_from=train_from)
    return None


@dataclass
class Split:
    """A record cut into pieces: what came out and what could not be trained."""

    pieces: list[Sample]
    too_long: int = 0  # turns that fit in no piece even alone, observations shortened
    no_room: int = 0  # assistant turns untrained: the turn they answer does not fit beside them
    shortened: int = 0  # observations shortened to fit (in trained turns or in carried context)
    with_context: int = 0  # pieces that carry earlier turns as context


def _block_sizes(
    head: list[dict], messages: list[dict], blocks: list[tuple[int, int]], tools: Any, tokenizer: Any
) -> tuple[int, list[int], list[int]]:
    """Tokens of the head, of each block, and of each block's tool results (what follows its turn)."""
    # Lengths from renders of growing prefixes (the template renders turn by turn, and every turn
    # starts at a special token, so lengths add up); each piece is then rendered and checked.
    previous = len(render_conversation(head, tools, tokenizer).input_ids) if head else 0
    head_len, sizes, tails = previous, [], []
    for start, end in blocks:
        turn = previous
        if end > start + 1:
            prefix = head + messages[blocks[0][0] : start + 1]
            turn = len(render_conversation(prefix, tools, tokenizer).input_ids)
        total = len(render_conversation(head + messages[blocks[0][0] : end], tools, tokenizer).input_ids)
        sizes.append(total - previous)
        tails.append(total - turn if end > start + 1 else 0)
        previous = total
    return head_len, sizes, tails


def _token_at(rendered: Rendered, char: int, tokenizer: Any) -> int:
    """Index of the first token of ``rendered`` that starts at or after character ``char``."""
    offsets = tokenizer(rendered.text, add_special_tokens=False, return_offsets_mapping=True)[
        "offset_mapping"
    ]
    return next((t for t, (a, _) in enumerate(offsets) if a >= char), len(offsets))


def split_at_turns(record: dict[str, Any], tokenizer: Any, max_length: int, record_id: str = "") -> Split:
    """Pieces of at most max_length tokens cut at turn boundaries, each trained on its own turns.

    A piece repeats the head (system prompt and task) and, when it does not start the conversation,
    carries the turn before its first one as context (no loss): the assistant turn with its tool calls
    and the tool results its first turn answers (and the user turn, if one came between). A turn that
    does not fit with that context even alone gets its observations shortened (head and tail kept,
    the sandbox's truncation marker between), in the context and in the turn itself, longest first.
    """
    messages, tools = record["messages"], record.get("tools")
    record_id = record_id or record.get("id", "")
    head_end = _head_end(messages)
    head = messages[:head_end]
    blocks = _blocks(messages, head_end)
    head_len, sizes, tails = _block_sizes(head, messages, blocks, tools, tokenizer)
    floored = [
        {**m, "content": truncate_text(m["content"], OBSERVATION_FLOOR_BYTES)[0]} if _is_observation(m) else m
        for m in messages
    ]
    _, smallest, _ = _block_sizes(head, floored, blocks, tools, tokenizer)
    turn_only = [size - tail for size, tail in zip(sizes, tails, strict=True)]
    roles = [messages[a]["role"] for a, _ in blocks]
    trains = [any(_trains(m) for m in messages[a:b]) for a, b in blocks]
    contexts = [_context_of(roles, f) for f in range(len(blocks))]
    ranges, _ = plan_split(
        head_len,
        sizes,
        max_length,
        context=[sum(sizes[c] for c in ctx) for ctx in contexts],
        tails=tails,
        shrinkable=[
            head_len + sum(smallest[c] for c in ctx) + turn_only[f] <= max_length
            for f, ctx in enumerate(contexts)
        ],
        trains=trains,
    )
    out = Split([])
    head_text = assistant_spans(head, tools, tokenizer)[0] if head else ""
    covered: set[int] = set()
    for first, last in ranges:
        carried = [m for c in contexts[first] for m in messages[blocks[c][0] : blocks[c][1]]]
        # The piece ends with its last trained turn: the tool results after it would train nothing
        # here (no later token is trained) and open the next piece as its context instead.
        body = messages[blocks[first][0] : blocks[last - 1][0] + 1]
        train_from = len(head) + len(carried)
        fitted = _fit(head + carried + body, len(head), train_from, tools, tokenizer, max_length)
        if fitted is None:  # the estimate said it would fit; the template disagreed by a few tokens
            continue
        piece, piece_messages, shortened = fitted
        if len(piece.input_ids) > max_length:
            raise DataError(
                f"record {record_id!r}: a piece of {len(piece.input_ids)} tokens came out over max_length "
                f"{max_length} (the chat template does not render turns independently)"
            )
        if not any(piece.assistant_mask):
            continue
        covered.update(range(first, last))
        span = None
        if carried:
            end = len(assistant_spans(piece_messages[:train_from], tools, tokenizer)[0])
            span = (_token_at(piece, len(head_text), tokenizer), _token_at(piece, end, tokenizer))
            out.with_context += 1
        out.shortened += shortened
        out.pieces.append(
            Sample(piece.input_ids, piece.assistant_mask, record_id, len(out.pieces) + 1, span, shortened)
        )
    for j in range(len(blocks)):
        if j in covered:
            continue
        if head_len + turn_only[j] > max_length:
            out.too_long += 1
        elif trains[j]:
            out.no_room += 1
    return out


def sft_samples(data: DataConfig, tokenizer: Any, report: DataReport | None = None) -> list[Sample]:
    """Render every selected SFT record; enforce max_length by the configured policy.

    A record the chat template cannot render is logged with its file and line, counted
    (``report.template_errors``) and left out; the other records are kept.
    """
    report = report if report is not None else DataReport()
    items = apply_mixture(read_records(data.data_dir, SFT_KINDS, report), data.weights, data.seed)
    report.selected.update(item.group for item in items)
    rendered_cache: dict[int, list[Sample]] = {}  # a record repeated by the mixture is rendered once
    samples: list[Sample] = []
    for item in items:
        key = id(item.record)
        if key not in rendered_cache:
            try:
                rendered_cache[key] = _render_sft(item, tokenizer, data, report)
            except TemplateError as exc:
                _template_failed(item, exc, report)
                rendered_cache[key] = []
        samples.extend(rendered_cache[key])
    report.samples = len(samples)
    report.tokens = sum(len(s.input_ids) for s in samples)
    report.trained_tokens = sum(sum(s.assistant_mask) for s in samples)
    if data.overlong == "drop" and report.overlong_records:
        log.warning("dropped %d records longer than %d tokens", report.overlong_dropped, data.max_length)
    return samples


def _suspect(record: dict[str, Any]) -> str:
    """A likely cause of a template failure that the record itself shows, or ''."""
    for side in ("messages", "prompt", "chosen", "rejected"):
        for i, m in enumerate(record.get(side) or []):
            if m.get("role") == "assistant" and m.get("content") is None and not m.get("tool_calls"):
                return f"; {side}[{i}] is an assistant message with neither content nor tool_calls"
    return ""


def _template_failed(item: Loaded, exc: TemplateError, report: DataReport) -> None:
    message = f"{item.path}:{item.line}: record {item.record['id']!r} skipped: {exc}{_suspect(item.record)}"
    log.warning("%s", message)
    report.template_errors.append(message)


def _no_sample(what: str, data_dir: Path, report: DataReport) -> DataError:
    why = ""
    if report.template_errors:
        why = f"; {len(report.template_errors)} records skipped, the first: {report.template_errors[0]}"
    return DataError(f"{data_dir}: no {what} to train on{why}")


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
    split = split_at_turns(record, tokenizer, data.max_length, record["id"])
    report.split_pieces += len(split.pieces)
    report.split_blocks_dropped += split.too_long
    report.split_turns_no_room += split.no_room
    report.split_pieces_with_context += split.with_context
    report.observations_shortened += split.shortened
    if not split.pieces:
        report.overlong_dropped += 1
    return split.pieces


def build_sft_dataset(cfg: TrainConfig, tokenizer: Any) -> tuple[Any, DataReport]:
    """A ``datasets.Dataset`` of ``input_ids`` / ``labels`` / ``seq_lengths`` rows for SFTTrainer."""
    from datasets import Dataset

    report = DataReport()
    samples = sft_samples(cfg.data, tokenizer, report)
    if not samples:
        raise _no_sample(f"SFT sample (kinds: {', '.join(SFT_KINDS)})", cfg.data.data_dir, report)
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
        try:
            chosen, rejected = render_preference(
                r["prompt"], r["chosen"], r["rejected"], r.get("tools"), tokenizer
            )
        except TemplateError as exc:
            _template_failed(item, exc, report)
            continue
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
        raise _no_sample("preference pair", cfg.data.data_dir, report)
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
