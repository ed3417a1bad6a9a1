"""Run-length encoding: "aaabcc" <-> "3a1b2c" for text, (count, byte) pairs for bytes."""

from __future__ import annotations


def encode_text(text: str) -> str:
    """ "aaabcc" -> "3a1b2c". Digits cannot be encoded (they would be ambiguous)."""
    if any(char.isdigit() for char in text):
        raise ValueError("digits cannot be run-length encoded as text")
    out = []
    i = 0
    while i < len(text):
        run = 1
        while i + run < len(text) and text[i + run] == text[i]:
            run += 1
        out.append(f"{run}{text[i]}")
        i += run
    return "".join(out)


def decode_text(encoded: str) -> str:
    """ "3a1b2c" -> "aaabcc"; a count is required before each character and must not be zero."""
    out = []
    count = ""
    for char in encoded:
        if char.isdigit():
            count += char
            continue
        if not count:
            raise ValueError(f"missing count before {char!r}")
        if int(count) == 0:
            raise ValueError(f"zero count before {char!r}")
        out.append(char * int(count))
        count = ""
    if count:
        raise ValueError("encoded text ends with a count")
    return "".join(out)


def encode_bytes(data: bytes, max_run: int = 255) -> bytes:
    """Pairs (count, byte) with 1 <= count <= max_run; longer runs are split."""
    if not 1 <= max_run <= 255:
        raise ValueError("max_run must be between 1 and 255")
    out = bytearray()
    i = 0
    while i < len(data):
        run = 1
        while i + run < len(data) and data[i + run] == data[i] and run < max_run:
            run += 1
        out += bytes([run, data[i]])
        i += run
    return bytes(out)


def decode_bytes(encoded: bytes) -> bytes:
    """Inverse of encode_bytes; an odd length or a zero count is a ValueError."""
    if len(encoded) % 2:
        raise ValueError("encoded bytes must come in (count, byte) pairs")
    out = bytearray()
    for i in range(0, len(encoded), 2):
        count, value = encoded[i], encoded[i + 1]
        if count == 0:
            raise ValueError(f"zero count at offset {i}")
        out += bytes([value]) * count
    return bytes(out)


def compression_ratio(original: bytes, encoded: bytes) -> float:
    """len(encoded) / len(original), rounded to 3 places; 1.0 for empty input."""
    if not original:
        return 1.0
    return round(len(encoded) / len(original), 3)
