"""Line counts via ``wc -l``."""

import os
import subprocess


def count_lines(path: str) -> int:
    """Lines of the file at ``path``."""
    if not os.path.isfile(path):
        raise FileNotFoundError(path)
    output = subprocess.check_output(f'wc -l "{path}"', shell=True, text=True)
    return int(output.split()[0])
