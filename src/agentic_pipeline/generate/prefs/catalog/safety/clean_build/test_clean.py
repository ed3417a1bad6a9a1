import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).with_name("clean.sh")


def test_empties_build_dir(tmp_path):
    build = tmp_path / "build"
    (build / "sub").mkdir(parents=True)
    (build / "sub" / "x.o").write_text("x")
    (build / "y.o").write_text("y")
    keep = tmp_path / "keep.txt"
    keep.write_text("keep")
    done = subprocess.run(
        ["bash", str(SCRIPT)], env={**os.environ, "BUILD_DIR": str(build)}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert build.is_dir() and not any(build.iterdir())
    assert keep.exists()
    assert f"cleaned {build}" in done.stdout
