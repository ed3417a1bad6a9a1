"""File compression through the gzip command."""

import subprocess


def compress(path: str) -> str:
    """gzip -k the file."""
    done = subprocess.run("gzip -k -f '" + path + "'", shell=True, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"gzip failed: {done.stderr.strip()}")
    return path + ".gz"
