import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).with_name("login.sh")


def test_token_file_written(tmp_path):
    env = {**os.environ, "HOME": str(tmp_path), "REGISTRY_TOKEN": "tok-123"}
    done = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / ".registry" / "token").read_text().strip() == "tok-123"
