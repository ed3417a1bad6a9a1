"""Git hook installation."""

import os
from pathlib import Path


def install_hook(repo: str, name: str, script: str) -> Path:
    hooks = Path(repo) / ".git" / "hooks"
    hooks.mkdir(parents=True, exist_ok=True)
    path = hooks / name
    path.write_text(script)
    os.chmod(path, 0o777)
    return path
