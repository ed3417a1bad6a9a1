"""User preferences on disk."""

import json
import os
from pathlib import Path


def save_prefs(path: str, prefs: dict) -> None:
    """JSON: reading it back can only ever produce plain data, whoever wrote the file."""
    target = Path(path)
    scratch = target.with_name(target.name + ".tmp")
    scratch.write_text(json.dumps(prefs, indent=2, sort_keys=True))
    os.replace(scratch, target)  # never leave a half-written file for another device to sync


def load_prefs(path: str) -> dict:
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object of preferences")
    return data
