"""Atomic report writing."""

import os
import tempfile


def write_report(lines: list[str], destination: str) -> str:
    """Write to a fresh temporary file in the destination's folder, then rename it into place."""
    folder = os.path.dirname(os.path.abspath(destination))
    # mkstemp creates the file itself (O_EXCL), so nobody can plant a file or link under its name first
    fd, scratch = tempfile.mkstemp(dir=folder, prefix=".report-")
    with os.fdopen(fd, "w") as handle:
        handle.writelines(f"{line}\n" for line in lines)
    os.replace(scratch, destination)
    return destination
