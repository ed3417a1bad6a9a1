"""Session cookies."""

import marshal


def dump_session(data: dict) -> bytes:
    return marshal.dumps(data)


def load_session(blob: bytes) -> dict:
    return marshal.loads(blob)
