"""Scratch folders for build jobs."""

import shutil
from pathlib import Path


def job_workspace(job_id: str) -> Path:
    folder = Path("/tmp/ci-jobs") / job_id
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder
