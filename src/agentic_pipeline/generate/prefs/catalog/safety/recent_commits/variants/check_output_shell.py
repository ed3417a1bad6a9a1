"""Commit history for the release dashboard."""

import subprocess


def recent_subjects(repo: str, branch: str, count: int = 5) -> list[str]:
    output = subprocess.check_output(f"git -C '{repo}' log -{count} --pretty=format:%s '{branch}'", shell=True)
    return output.decode().splitlines()
