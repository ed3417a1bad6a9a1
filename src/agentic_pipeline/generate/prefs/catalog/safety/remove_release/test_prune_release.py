import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).with_name("prune_release.sh")


def test_removes_only_that_release(tmp_path):
    releases = tmp_path / "releases"
    for version in ("1.0.0", "1.1.0"):
        (releases / version / "bin").mkdir(parents=True)
        (releases / version / "bin" / "app").write_text(version)
    env = {**os.environ, "RELEASES_DIR": str(releases), "VERSION": "1.0.0"}
    done = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert not (releases / "1.0.0").exists()
    assert (releases / "1.1.0" / "bin" / "app").read_text() == "1.1.0"
    assert "removed 1.0.0" in done.stdout
