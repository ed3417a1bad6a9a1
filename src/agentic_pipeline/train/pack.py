"""Best-fit-decreasing packing of whole samples into rows of at most ``capacity`` tokens.

    rows, stats = pack_samples(samples, capacity=4096)
    rows["input_ids"], rows["labels"], rows["seq_lengths"]     # one entry per packed row

No token is dropped and no sample is split: a sample longer than ``capacity`` is an error here,
because the data stage has already dropped or split it at a turn boundary and counted it. TRL's own
``packing_strategy="bfd"`` instead keeps the first ``max_length`` tokens of such a sample and throws
the rest away (bench/packing_efficiency.py measures both on the same data).

``seq_lengths`` lists each row's samples in order. TRL's padding-free collator turns them into
``position_ids`` that restart at 0 for every sample, and the model's attention (flash-attention
varlen, or sdpa through transformers' packed-sequence mask) then stays inside each sample: a token
never attends to another sample of its row. The collator also drops the label of every sample's
first token, which would otherwise be predicted from the previous sample's last token.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

IGNORE_INDEX = -100


@dataclass
class PackStats:
    sequences: int
    rows: int
    real_tokens: int
    capacity: int
    dropped_tokens: int = 0  # always 0 here; the field exists so reports compare like with like

    @property
    def slots(self) -> int:
        return self.rows * self.capacity

    @property
    def efficiency(self) -> float:
        """Share of real tokens in rows of ``capacity`` tokens (1.0 = no padding at all)."""
        return self.real_tokens / self.slots if self.slots else 1.0


def bfd_bins(lengths: list[int], capacity: int) -> list[list[int]]:
    """Indices of ``lengths`` grouped into bins of total <= capacity, best fit in decreasing order.

    Each item goes to the open bin whose free space is the smallest that still fits it, or opens a
    new bin; ties keep the input order, so the result is deterministic.
    """
    too_long = [(i, n) for i, n in enumerate(lengths) if n > capacity]
    if too_long:
        i, n = too_long[0]
        raise ValueError(
            f"{len(too_long)} sample(s) longer than the packing capacity {capacity} (first: #{i}, {n} tokens); "
            "the data stage must drop or split them first"
        )
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    bins: list[list[int]] = []
    free: list[tuple[int, int]] = []  # (free space, bin index), kept sorted
    for i in order:
        n = lengths[i]
        pos = bisect.bisect_left(free, (n, -1))
        if pos == len(free):
            bins.append([i])
            bisect.insort(free, (capacity - n, len(bins) - 1))
            continue
        space, b = free.pop(pos)
        bins[b].append(i)
        bisect.insort(free, (space - n, b))
    return bins


def labels_from_mask(input_ids: list[int], mask: list[int]) -> list[int]:
    return [t if m else IGNORE_INDEX for t, m in zip(input_ids, mask, strict=True)]


def pack_samples(
    samples: list[tuple[list[int], list[int]]], capacity: int
) -> tuple[dict[str, list[list[int]]], PackStats]:
    """``samples`` are (input_ids, assistant_mask) pairs; returns columns for a ``datasets.Dataset``."""
    bins = bfd_bins([len(ids) for ids, _ in samples], capacity)
    rows: dict[str, list[list[int]]] = {"input_ids": [], "labels": [], "seq_lengths": []}
    for members in bins:
        ids: list[int] = []
        labels: list[int] = []
        for i in members:
            sample_ids, mask = samples[i]
            ids.extend(sample_ids)
            labels.extend(labels_from_mask(sample_ids, mask))
        rows["input_ids"].append(ids)
        rows["labels"].append(labels)
        rows["seq_lengths"].append([len(samples[i][0]) for i in members])
    stats = PackStats(
        sequences=len(samples), rows=len(bins), real_tokens=sum(len(s[0]) for s in samples), capacity=capacity
    )
    return rows, stats


def unpacked_rows(samples: list[tuple[list[int], list[int]]]) -> dict[str, list[list[int]]]:
    """One sample per row (packing off): the same columns, so both paths train the same tokens."""
    return {
        "input_ids": [ids for ids, _ in samples],
        "labels": [labels_from_mask(ids, mask) for ids, mask in samples],
        "seq_lengths": [[len(ids)] for ids, _ in samples],
    }
