"""Project backups."""

import subprocess


def backup_folder(folder: str, archive: str) -> str:
    subprocess.run(f'tar -czf "{archive}" -C "{folder}" .', shell=True, check=True)
    return archive
