"""Project backups."""

import tarfile
from pathlib import Path


def backup_folder(folder: str, archive: str) -> str:
    """Archive with the tarfile module: the paths are data, never parsed by a shell."""
    with tarfile.open(archive, "w:gz") as tar:
        for path in sorted(Path(folder).rglob("*")):
            tar.add(path, arcname=str(path.relative_to(folder)), recursive=False)
    return archive
