"""Scratch folders for build jobs."""

import os
from pathlib import Path


def job_workspace(job_id: str) -> Path:
    folder = os.path.join("/tmp", "workspace-" + job_id)
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        os.remove(os.path.join(folder, name))
    return Path(folder)
