"""A JSON cache in /tmp."""

import json

CACHE_PATH = "/tmp/app-cache.json"


def save_cache(data: dict) -> str:
    with open(CACHE_PATH, "w") as handle:
        json.dump(data, handle)
    return CACHE_PATH


def load_cache(path: str) -> dict:
    with open(path) as handle:
        return json.load(handle)
