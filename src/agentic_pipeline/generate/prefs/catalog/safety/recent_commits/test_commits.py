import os
import subprocess

import pytest
from commits import recent_subjects

IDENTITY = {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org",
            "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    env = {**os.environ, **IDENTITY}

    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, env=env, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    for subject in ("first", "second", "third"):
        (tmp_path / "f.txt").write_text(subject)
        git("add", "f.txt")
        git("commit", "-q", "-m", subject)
    git("checkout", "-q", "-b", "feature/x")
    (tmp_path / "f.txt").write_text("on feature")
    git("commit", "-q", "-am", "feature work")
    return str(tmp_path)


def test_newest_first(repo):
    assert recent_subjects(repo, "main", 2) == ["third", "second"]


def test_other_branch_and_default_count(repo):
    assert recent_subjects(repo, "feature/x") == ["feature work", "third", "second", "first"]
