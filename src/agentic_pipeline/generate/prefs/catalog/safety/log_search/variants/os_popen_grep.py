"""Log search for the support page."""

import os


def count_matching_lines(log_path: str, text: str) -> int:
    with os.popen(f'grep -F "{text}" "{log_path}" | wc -l') as pipe:
        return int(pipe.read().strip())
