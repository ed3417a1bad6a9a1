"""Session cookies as JSON: loading one can only build plain data, never run code."""

import json


def dump_session(data: dict) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode("utf-8")


def load_session(blob: bytes) -> dict:
    return json.loads(blob.decode("utf-8"))
