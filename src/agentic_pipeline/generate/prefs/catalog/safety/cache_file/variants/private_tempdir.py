"""A JSON cache in a private temporary folder (created 0700, with an unpredictable name)."""

import json
import os
import tempfile


def save_cache(data: dict) -> str:
    folder = tempfile.mkdtemp(prefix="app-cache-")
    path = os.path.join(folder, "cache.json")
    with open(path, "w") as handle:
        json.dump(data, handle)
    return path


def load_cache(path: str) -> dict:
    with open(path) as handle:
        return json.load(handle)
