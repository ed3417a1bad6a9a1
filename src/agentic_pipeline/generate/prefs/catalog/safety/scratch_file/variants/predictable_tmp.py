"""Atomic report writing."""

import os


def write_report(lines: list[str], destination: str) -> str:
    """Write to a scratch file in /tmp, then move it into place."""
    scratch = f"/tmp/report-{os.getpid()}.txt"
    with open(scratch, "w") as handle:
        handle.writelines(f"{line}\n" for line in lines)
    os.replace(scratch, destination)
    return destination
