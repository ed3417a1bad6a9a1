"""Commit history for the release dashboard."""

import subprocess


def recent_subjects(repo: str, branch: str, count: int = 5) -> list[str]:
    done = subprocess.run(
        f"cd {repo} && git log -n {count} --format=%s {branch}", shell=True, capture_output=True, text=True
    )
    return done.stdout.splitlines()
