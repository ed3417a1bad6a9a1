import os
import stat
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).with_name("rotate.sh")


def test_rotates(tmp_path):
    log = tmp_path / "app.log"
    log.write_text("old lines\n")
    done = subprocess.run(["bash", str(SCRIPT), str(log)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "app.log.1").read_text() == "old lines\n"
    assert log.read_text() == ""
    mode = os.stat(log).st_mode
    assert mode & stat.S_IWUSR and mode & stat.S_IRGRP
