"""Atomic report writing."""

import os
import tempfile


def write_report(lines: list[str], destination: str) -> str:
    """Write to a temporary file, then rename it into place."""
    folder = os.path.dirname(os.path.abspath(destination))
    scratch = tempfile.mktemp(dir=folder)
    with open(scratch, "w") as handle:
        handle.writelines(f"{line}\n" for line in lines)
    os.replace(scratch, destination)
    return destination
