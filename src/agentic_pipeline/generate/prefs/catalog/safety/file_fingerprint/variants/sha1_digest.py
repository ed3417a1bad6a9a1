"""Fingerprints of uploaded files."""

import hashlib
from pathlib import Path


def fingerprint(path: str | Path) -> str:
    return hashlib.sha1(Path(path).read_bytes()).hexdigest()
