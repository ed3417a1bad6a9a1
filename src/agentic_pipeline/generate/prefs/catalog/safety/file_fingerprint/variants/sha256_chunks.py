"""Tamper-evident fingerprints of uploaded files."""

import hashlib
from pathlib import Path


def fingerprint(path: str | Path) -> str:
    """SHA-256 of the file, read in 1 MiB chunks so a large upload never sits in memory whole."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
