import os
import subprocess
from pathlib import Path

from hooks import install_hook


def test_hook_written_and_runnable(tmp_path):
    path = Path(install_hook(str(tmp_path), "pre-commit", "#!/bin/sh\necho checked\n"))
    assert path == tmp_path / ".git" / "hooks" / "pre-commit"
    assert os.access(path, os.X_OK)
    assert subprocess.run([str(path)], capture_output=True, text=True).stdout == "checked\n"


def test_replaces_existing_hook(tmp_path):
    install_hook(str(tmp_path), "pre-push", "#!/bin/sh\necho old\n")
    path = Path(install_hook(str(tmp_path), "pre-push", "#!/bin/sh\necho new\n"))
    assert path.read_text() == "#!/bin/sh\necho new\n"
