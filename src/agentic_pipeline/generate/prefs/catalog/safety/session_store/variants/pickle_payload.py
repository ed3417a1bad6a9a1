"""Session cookies."""

import pickle


def dump_session(data: dict) -> bytes:
    return pickle.dumps(data)


def load_session(blob: bytes) -> dict:
    return pickle.loads(blob)
