"""Commit history for the release dashboard."""

import subprocess


def recent_subjects(repo: str, branch: str, count: int = 5) -> list[str]:
    """Subjects of the newest ``count`` commits of ``branch``. git gets an argument list (no shell),
    and ``--end-of-options`` stops a branch named like ``--output=...`` from being read as an option."""
    if branch.startswith("-"):
        raise ValueError(f"not a branch name: {branch!r}")
    done = subprocess.run(
        ["git", "-C", repo, "log", f"--max-count={int(count)}", "--format=%s", "--end-of-options", branch],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.splitlines()
