"""Normalised text and word n-gram hashes, vectorised with numpy (used by dedup and decontamination).

Normalisation: lowercase ASCII, every ASCII character that is not a letter or digit becomes a
space, runs of spaces collapse to one; bytes of non-ASCII characters count as word characters. A
word n-gram is the normalised text from the start of word i to the end of word i+n-1, hashed with
a polynomial rolling hash mod 2**64 computed for all n-grams at once from prefix sums (the base
is odd, so it has an inverse mod 2**64), then mixed so every bit is usable. The hashes depend only
on the text, so parent and worker processes agree.
"""

from __future__ import annotations

import numpy as np

_BASE = np.uint64(0x100000001B3)  # odd: invertible mod 2**64
_BASE_INV = np.uint64(pow(int(_BASE), -1, 1 << 64))

_TABLE = np.arange(256, dtype=np.uint8)
for _c in range(128):
    ch = chr(_c)
    _TABLE[_c] = ord(ch.lower()) if ch.isalnum() else ord(" ")
_SPACE = np.uint8(ord(" "))


def normalize(text: str) -> np.ndarray:
    """The normalised UTF-8 bytes of ``text`` (no leading/trailing space)."""
    raw = _TABLE[np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)]
    space = raw == _SPACE
    keep = ~(space & np.concatenate(([True], space[:-1])))
    out = raw[keep]
    if out.size and out[-1] == _SPACE:
        out = out[:-1]
    return out


_POWERS: dict[int, np.ndarray] = {}


def _powers(base: np.uint64, n: int) -> np.ndarray:
    """base**0 .. base**(n-1) mod 2**64, from a cache that grows by doubling."""
    cached = _POWERS.get(int(base))
    if cached is None or cached.size < n:
        size = max(n, 2 * (cached.size if cached is not None else 4096))
        powers = np.full(size, base, dtype=np.uint64)
        powers[0] = 1
        cached = _POWERS[int(base)] = np.cumprod(powers, dtype=np.uint64)  # wraps mod 2**64, as intended
    return cached[:n]


def _mix(h: np.ndarray) -> np.ndarray:
    # splitmix64 finaliser: polynomial hashes have weak low bits; buckets and sampling need good ones
    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def ngram_hashes(norm: np.ndarray, n: int) -> np.ndarray:
    """uint64 hashes of every word n-gram of normalised bytes (empty when fewer than n words)."""
    if norm.size == 0:
        return np.empty(0, dtype=np.uint64)
    is_space = norm == _SPACE
    starts = np.flatnonzero(np.concatenate(([True], is_space[:-1])))
    ends = np.append(np.flatnonzero(is_space), norm.size)  # exclusive end of each word
    if starts.size < n:
        return np.empty(0, dtype=np.uint64)
    size = norm.size
    with np.errstate(over="ignore"):
        inv = _powers(_BASE_INV, size)
        pw = _powers(_BASE, size + 1)
        # prefix[i] = sum_{j<i} s[j] * B^-j
        prefix = np.concatenate(
            (np.zeros(1, np.uint64), np.cumsum(norm.astype(np.uint64) * inv, dtype=np.uint64))
        )
        a = starts[: starts.size - n + 1]
        b = ends[n - 1 :]
        # sum_{j in [a,b)} s[j] * B^(b-1-j) = (prefix[b] - prefix[a]) * B^(b-1)
        h = (prefix[b] - prefix[a]) * pw[b - 1]
        # fold in the length: the polynomial alone cannot tell leading zero bytes apart
        h = h + (b - a).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        return _mix(h)
