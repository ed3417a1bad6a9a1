"""Scratch folders for build jobs."""

import tempfile
from pathlib import Path


def job_workspace(job_id: str) -> Path:
    """A fresh folder from mkdtemp: an unpredictable name, created atomically, mode 0700, so another
    user cannot pre-create it, read the job's sources or swap its artefacts."""
    return Path(tempfile.mkdtemp(prefix=f"{job_id}-"))
