"""Git hook installation."""

import os
from pathlib import Path


def install_hook(repo: str, name: str, script: str) -> Path:
    """Write the hook and let only its owner change or run it: a hook runs on every commit, so
    anyone able to edit it could run code as whoever commits."""
    hooks = Path(repo) / ".git" / "hooks"
    hooks.mkdir(parents=True, exist_ok=True)
    path = hooks / name
    path.write_text(script)
    os.chmod(path, 0o700)
    return path
