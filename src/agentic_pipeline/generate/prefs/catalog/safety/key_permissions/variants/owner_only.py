"""Private key storage."""

import os


def save_key(path: str, pem: str) -> str:
    """Write the key readable and writable by its owner only (0600), from the moment it exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(pem)
    os.chmod(path, 0o600)
    return path
