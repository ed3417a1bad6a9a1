"""Best-fit-decreasing packing: every token kept, rows within capacity, ~99% full on long-tailed lengths;
TRL's own BFD drops the overflow of a longer sample on the same data."""

from __future__ import annotations

import random

import pytest

from agentic_pipeline.train.pack import IGNORE_INDEX, bfd_bins, pack_samples


def long_tailed(n: int, cap: int, seed: int = 0) -> list[int]:
    rng = random.Random(seed)
    return [max(8, min(cap, int(rng.lognormvariate(6.0, 0.8)))) for _ in range(n)]


def samples_of(lengths: list[int]) -> list[tuple[list[int], list[int]]]:
    out = []
    for i, n in enumerate(lengths):
        ids = [(i * 7 + k) % 1000 + 1 for k in range(n)]
        out.append((ids, [k % 3 == 0 for k in range(n)]))
    return out


def test_bfd_keeps_every_token_within_capacity_and_fills_rows():
    cap = 4096
    lengths = long_tailed(3000, cap)
    samples = samples_of(lengths)
    rows, stats = pack_samples(samples, cap)
    assert all(len(ids) <= cap for ids in rows["input_ids"])
    assert [sum(s) for s in rows["seq_lengths"]] == [len(ids) for ids in rows["input_ids"]]
    # Cut each row back into its samples: the multiset of samples (ids and labels) is exactly the input.
    rebuilt = []
    for ids, labels, lens in zip(rows["input_ids"], rows["labels"], rows["seq_lengths"], strict=True):
        start = 0
        for n in lens:
            rebuilt.append((tuple(ids[start : start + n]), tuple(labels[start : start + n])))
            start += n
    expected = [
        (tuple(ids), tuple(t if m else IGNORE_INDEX for t, m in zip(ids, mask, strict=True)))
        for ids, mask in samples
    ]
    assert sorted(rebuilt) == sorted(expected)
    assert stats.real_tokens == sum(lengths) and stats.dropped_tokens == 0
    assert stats.efficiency >= 0.99


def test_bfd_is_best_fit_and_deterministic():
    bins = bfd_bins([6, 5, 4, 3, 2], capacity=10)
    # 6 opens a bin (free 4), 5 opens (free 5), 4 goes to the tightest fit (free 4 -> 0), 3 to free 5,
    # 2 to the remaining free 2.
    assert bins == [[0, 2], [1, 3, 4]]
    assert bfd_bins([6, 5, 4, 3, 2], capacity=10) == bins


def test_a_sample_longer_than_capacity_is_refused_not_cut():
    with pytest.raises(ValueError, match="longer than the packing capacity 10"):
        bfd_bins([4, 11], capacity=10)


def test_trl_bfd_drops_the_overflow_that_ours_keeps():
    """Same data: TRL's `pack_dataset(strategy="bfd")` keeps the first max_length tokens of a longer
    sample; our data stage splits it at turn boundaries first, then packing keeps every token."""
    from datasets import Dataset
    from trl.data_utils import pack_dataset

    cap = 512
    lengths = long_tailed(400, 2 * cap, seed=1)
    samples = samples_of(lengths)
    ds = Dataset.from_dict({"input_ids": [s[0] for s in samples]})
    trl_tokens = sum(len(r) for r in pack_dataset(ds, cap, strategy="bfd")["input_ids"])
    assert trl_tokens < sum(lengths)
    assert trl_tokens == sum(min(n, cap) for n in lengths)  # exactly the overflow is gone

    fitting = [s for s in samples if len(s[0]) <= cap]
    _, stats = pack_samples(fitting, cap)
    assert stats.real_tokens == sum(len(s[0]) for s in fitting)
