"""Log search for the support page."""

import subprocess


def count_matching_lines(log_path: str, text: str) -> int:
    done = subprocess.run(f"grep -c -F '{text}' '{log_path}'", shell=True, capture_output=True, text=True)
    return int(done.stdout.strip() or 0)
