"""What the model will learn: rendered samples with the trained tokens marked, and the trained share.

    for title, text in inspect_samples(cfg, tokenizer, n=3): console.print(title, text)

The marking comes from the same token ids and masks the trainer gets (runs of trained and untrained
tokens, each decoded), so what is highlighted is exactly what carries loss.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text

from agentic_pipeline.train.config import TrainConfig
from agentic_pipeline.train.data import DataReport, dpo_pairs, sft_samples

TRAINED_STYLE = "bold green"
CONTEXT_STYLE = "dim"


@dataclass
class Inspected:
    title: str
    text: Text
    tokens: int
    trained: int


def runs(mask: list[int]) -> list[tuple[int, int, int]]:
    """(start, end, value) of each run of equal mask values."""
    out: list[tuple[int, int, int]] = []
    start = 0
    for i in range(1, len(mask) + 1):
        if i == len(mask) or mask[i] != mask[start]:
            out.append((start, i, mask[start]))
            start = i
    return out


def marked_text(input_ids: list[int], mask: list[int], tokenizer: Any) -> Text:
    text = Text()
    for start, end, value in runs(mask):
        piece = tokenizer.decode(input_ids[start:end], skip_special_tokens=False)
        text.append(piece, style=TRAINED_STYLE if value else CONTEXT_STYLE)
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
        title = sample.record_id + (f" (piece {sample.piece})" if sample.piece else "")
        out.append(
            Inspected(
                title,
                marked_text(sample.input_ids, sample.assistant_mask, tokenizer),
                len(sample.input_ids),
                sum(sample.assistant_mask),
            )
        )
    return out, report
