"""What the model will learn: rendered samples with the trained tokens marked, and the trained share.

    for title, text in inspect_samples(cfg, tokenizer, n=3): console.print(title, text)

The marking comes from the same token ids and masks the trainer gets (runs of trained and untrained
tokens, each decoded), so what is highlighted is exactly what carries loss. In a piece of a split
trajectory, the earlier turns it carries as context sit between two labelled lines and in their own
colour (they carry no loss), and a tool result shortened to fit shows its truncation marker highlighted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rich.text import Text

from agentic_pipeline.train.config import TrainConfig
from agentic_pipeline.train.data import DataReport, dpo_pairs, sft_samples

TRAINED_STYLE = "bold green"
CONTEXT_STYLE = "dim"
CARRIED_STYLE = "dim cyan"  # earlier turns a split piece carries as context
LABEL_STYLE = "reverse cyan"
SHORTENED_STYLE = "bold yellow"
CARRIED_OPEN = "[context carried from earlier turns: no loss]\n"
CARRIED_CLOSE = "[end of carried context]\n"
# The sandbox's truncation line (sandbox._OutputBuffer), also used for observations shortened to fit.
TRUNCATION_MARKER = re.compile(r"\[\.\.\. output truncated: \d+ bytes dropped \.\.\.\]")


@dataclass
class Inspected:
    title: str
    text: Text
    tokens: int
    trained: int
    context: int = 0  # tokens of earlier turns carried as context
    shortened: int = 0  # observations shortened to fit


def runs(mask: list[int]) -> list[tuple[int, int, int]]:
    """(start, end, value) of each run of equal mask values."""
    out: list[tuple[int, int, int]] = []
    start = 0
    for i in range(1, len(mask) + 1):
        if i == len(mask) or mask[i] != mask[start]:
            out.append((start, i, mask[start]))
            start = i
    return out


def marked_text(
    input_ids: list[int], mask: list[int], tokenizer: Any, context: tuple[int, int] | None = None
) -> Text:
    """The decoded sample, trained runs in ``TRAINED_STYLE``; ``context`` (a token range of carried
    turns) between labels in ``CARRIED_STYLE``; truncation markers in ``SHORTENED_STYLE``."""
    a, b = context if context else (len(mask), len(mask))
    text = Text()
    for start, end, value in runs(mask):
        for lo, hi in ((start, min(end, a)), (max(start, a), min(end, b)), (max(start, b), end)):
            if lo >= hi:
                continue
            if lo == a and context:
                text.append(CARRIED_OPEN, style=LABEL_STYLE)
            piece = tokenizer.decode(input_ids[lo:hi], skip_special_tokens=False)
            carried = a <= lo < b
            text.append(piece, style=TRAINED_STYLE if value else CARRIED_STYLE if carried else CONTEXT_STYLE)
            if hi == b and context:
                text.append(CARRIED_CLOSE, style=LABEL_STYLE)
    text.highlight_regex(TRUNCATION_MARKER, SHORTENED_STYLE)
    return text


def trained_text(input_ids: list[int], mask: list[int], tokenizer: Any) -> list[str]:
    """The decoded trained spans, in order: what the model is taught to write."""
    return [
        tokenizer.decode(input_ids[start:end], skip_special_tokens=False)
        for start, end, value in runs(mask)
        if value
    ]


def inspect_samples(cfg: TrainConfig, tokenizer: Any, n: int = 3) -> tuple[list[Inspected], DataReport]:
    report = DataReport()
    out: list[Inspected] = []
    if cfg.method == "dpo":
        for pair in dpo_pairs(cfg.data, tokenizer, report)[:n]:
            for side, rendered in (("chosen", pair.chosen), ("rejected", pair.rejected)):
                out.append(
                    Inspected(
                        f"{pair.record_id} ({side})",
                        marked_text(rendered.input_ids, rendered.assistant_mask, tokenizer),
                        len(rendered.input_ids),
                        sum(rendered.assistant_mask),
                    )
                )
        return out, report
    for sample in sft_samples(cfg.data, tokenizer, report)[:n]:
        carried = sample.context[1] - sample.context[0] if sample.context else 0
        notes = [f"piece {sample.piece}"] if sample.piece else []
        if carried:
            notes.append(f"{carried} tokens of earlier turns as context")
        if sample.shortened:
            notes.append(f"{sample.shortened} observation{'s' * (sample.shortened > 1)} shortened")
        out.append(
            Inspected(
                sample.record_id + (f" ({', '.join(notes)})" if notes else ""),
                marked_text(sample.input_ids, sample.assistant_mask, tokenizer, sample.context),
                len(sample.input_ids),
                sum(sample.assistant_mask),
                carried,
                sample.shortened,
            )
        )
    return out, report
