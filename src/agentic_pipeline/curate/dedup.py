"""Duplicates across all files: exact after normalisation, and near-duplicates by MinHash LSH.

Exact: a 128-bit BLAKE2 digest of the normalised text (see ``textnorm``). Near: word 5-gram
shingles, a 128-value MinHash signature per record computed in the worker processes by one
permutation hashing with rotation densification (Shrivastava & Li, 2014: one pass over the
shingles instead of one per permutation), then datasketch's ``MinHashLSH`` in the parent finds
candidates whose estimated Jaccard similarity is at least the threshold. The first record (in file
order) of a group is kept; the later ones are reported against it.
"""

from __future__ import annotations

import hashlib

import numpy as np
from datasketch import LeanMinHash, MinHashLSH

from agentic_pipeline.curate.textnorm import ngram_hashes

NUM_PERM = 128
SHINGLE_WORDS = 5
DEFAULT_THRESHOLD = 0.85
_EMPTY = np.uint64(0xFFFFFFFF)


def exact_key(norm: np.ndarray) -> bytes:
    return hashlib.blake2b(norm.tobytes(), digest_size=16).digest()


def signature(norm: np.ndarray) -> np.ndarray | None:
    """A MinHash signature (NUM_PERM uint64 values below 2**32), or None for texts under 5 words."""
    h = ngram_hashes(norm, SHINGLE_WORDS)
    if h.size == 0:
        return None
    bucket = (h % np.uint64(NUM_PERM)).astype(np.intp)
    value = h >> np.uint64(32)
    sig = np.full(NUM_PERM, _EMPTY, dtype=np.uint64)
    np.minimum.at(sig, bucket, value)
    empty = sig == _EMPTY
    if empty.any():
        # Rotation densification: an empty bin borrows the next non-empty bin's value (circularly),
        # offset by the distance so that borrowed values stay distinguishable.
        filled = np.flatnonzero(~empty)
        idx = np.arange(NUM_PERM)
        pos = np.searchsorted(filled, idx) % filled.size
        src = filled[pos]
        dist = (src - idx) % NUM_PERM
        sig = np.where(empty, (sig[src] + dist.astype(np.uint64) * np.uint64(0x9E3779B1)) & _EMPTY, sig)
    return sig


class NearDuplicates:
    """Streaming near-duplicate detection: ``seen`` returns the key of an earlier similar record."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.threshold = threshold
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self.signatures: dict[str, np.ndarray] = {}

    def seen(self, key: str, sig: np.ndarray) -> str | None:
        # Our values are 32-bit, like datasketch's affine32 scheme; LeanMinHash skips building permutations.
        m = LeanMinHash(seed=1, hashvalues=sig, scheme="affine32")
        for other in self.lsh.query(m):
            if float(np.mean(self.signatures[other] == sig)) >= self.threshold:
                return other
        self.lsh.insert(key, m, check_duplication=False)
        self.signatures[key] = sig
        return None
