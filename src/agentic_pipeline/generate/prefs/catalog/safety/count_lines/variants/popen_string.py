"""Line counts via ``wc -l``."""

import os


def count_lines(path: str) -> int:
    """Lines of the file at ``path``."""
    if not os.path.isfile(path):
        raise FileNotFoundError(path)
    with os.popen(f"wc -l < '{path}'") as pipe:
        return int(pipe.read().strip())
