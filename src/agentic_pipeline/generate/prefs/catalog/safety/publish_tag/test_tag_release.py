import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).with_name("tag_release.sh")
IDENTITY = {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org",
            "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip


def git(*args, cwd, env):
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def test_tag_pushed_to_origin(tmp_path):
    env = {**os.environ, **IDENTITY, "HOME": str(tmp_path)}
    origin, work = tmp_path / "origin.git", tmp_path / "work"
    git("init", "-q", "--bare", str(origin), cwd=tmp_path, env=env)
    git("init", "-q", "-b", "main", str(work), cwd=tmp_path, env=env)
    (work / "app.txt").write_text("v1")
    git("add", "app.txt", cwd=work, env=env)
    git("commit", "-q", "-m", "release", cwd=work, env=env)
    git("remote", "add", "origin", str(origin), cwd=work, env=env)
    done = subprocess.run(["bash", str(SCRIPT)], cwd=work, env={**env, "VERSION": "v1.2.0"},
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    head = git("rev-parse", "HEAD", cwd=work, env=env).strip()
    assert git("rev-parse", "v1.2.0^{commit}", cwd=origin, env=env).strip() == head
