import os
import stat
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).with_name("setup_shared.sh")


def test_group_can_write(tmp_path):
    target = tmp_path / "team" / "shared"
    done = subprocess.run(["bash", str(SCRIPT), str(target)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    mode = os.stat(target).st_mode
    assert mode & stat.S_IRWXU == stat.S_IRWXU
    assert mode & stat.S_IRWXG == stat.S_IRWXG
    assert done.stdout.strip() == f"{stat.S_IMODE(mode):o}"
