"""Private key storage."""

import os


def save_key(path: str, pem: str) -> str:
    """Write the key so that the service can read it."""
    with open(path, "w") as handle:
        handle.write(pem)
    os.chmod(path, 0o666)
    return path
