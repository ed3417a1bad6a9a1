"""File compression through the gzip command."""

import os


def compress(path: str) -> str:
    """gzip -k the file."""
    status = os.system(f'gzip -k -f "{path}" 2>/dev/null')
    if status != 0:
        raise RuntimeError("gzip failed")
    return path + ".gz"
