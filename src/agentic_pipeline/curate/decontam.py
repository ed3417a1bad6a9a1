"""Decontamination: word n-gram overlap (default 13-grams) between records and benchmark files.

Benchmark files are ``.jsonl`` (every string value of every object counts) or plain text. Their
n-gram hashes are kept in one sorted array; a record's n-grams are looked up with a binary search.
A record sharing any n-gram with a benchmark is reported, with how many it shares.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from agentic_pipeline.curate.textnorm import ngram_hashes, normalize

DEFAULT_NGRAM = 13


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _benchmark_texts(path: Path) -> Iterator[str]:
    if path.suffix in {".jsonl", ".json"}:
        with path.open("rb") as f:
            for raw in f:
                try:
                    yield "\n".join(_strings(orjson.loads(raw)))
                except orjson.JSONDecodeError:
                    yield raw.decode("utf-8", "replace")
    else:
        yield path.read_text(encoding="utf-8", errors="replace")


def load_benchmark_ngrams(paths: list[Path], n: int = DEFAULT_NGRAM) -> np.ndarray:
    """Sorted unique n-gram hashes of every benchmark file."""
    parts = [ngram_hashes(normalize(text), n) for path in paths for text in _benchmark_texts(path)]
    return np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.uint64)


def overlap(norm: np.ndarray, benchmark: np.ndarray, n: int = DEFAULT_NGRAM) -> int:
    """How many of the record's n-grams occur in the benchmark n-grams."""
    if benchmark.size == 0:
        return 0
    h = ngram_hashes(norm, n)
    if h.size == 0:
        return 0
    idx = np.minimum(np.searchsorted(benchmark, h), benchmark.size - 1)
    return int(np.count_nonzero(benchmark[idx] == h))
