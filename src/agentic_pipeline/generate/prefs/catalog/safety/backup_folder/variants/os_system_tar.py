"""Project backups."""

import os


def backup_folder(folder: str, archive: str) -> str:
    os.system(f"tar -czf {archive} -C {folder} .")
    return archive
