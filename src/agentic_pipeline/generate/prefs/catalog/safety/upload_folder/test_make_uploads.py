import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).with_name("make_uploads.sh")


def test_folder_created_and_writable(tmp_path):
    root = tmp_path / "app"
    done = subprocess.run(["bash", str(SCRIPT)], env={**os.environ, "APP_ROOT": str(root)},
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    uploads = root / "uploads"
    assert uploads.is_dir() and os.access(uploads, os.W_OK | os.X_OK)
    (uploads / "avatar.png").write_bytes(b"png")
    assert str(uploads) in done.stdout


def test_existing_folder_kept(tmp_path):
    uploads = tmp_path / "app" / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "old.txt").write_text("kept")
    done = subprocess.run(["bash", str(SCRIPT)], env={**os.environ, "APP_ROOT": str(tmp_path / "app")},
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (uploads / "old.txt").read_text() == "kept"
