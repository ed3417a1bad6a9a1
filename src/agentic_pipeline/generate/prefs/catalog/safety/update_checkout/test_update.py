import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).with_name("update.sh")
IDENTITY = {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org",
            "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip


def git(*args, cwd, env):
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def test_checkout_moves_to_origin_main(tmp_path):
    env = {**os.environ, **IDENTITY, "HOME": str(tmp_path)}
    upstream, app = tmp_path / "upstream", tmp_path / "app"
    git("init", "-q", "-b", "main", str(upstream), cwd=tmp_path, env=env)
    (upstream / "app.py").write_text("v1\n")
    git("add", "app.py", cwd=upstream, env=env)
    git("commit", "-q", "-m", "v1", cwd=upstream, env=env)
    git("clone", "-q", str(upstream), str(app), cwd=tmp_path, env=env)
    (upstream / "app.py").write_text("v2\n")
    git("commit", "-q", "-am", "v2", cwd=upstream, env=env)
    new = git("rev-parse", "HEAD", cwd=upstream, env=env).strip()
    done = subprocess.run(["bash", str(SCRIPT)], env={**env, "APP_DIR": str(app)}, capture_output=True,
                          text=True, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert git("rev-parse", "HEAD", cwd=app, env=env).strip() == new
    assert (app / "app.py").read_text() == "v2\n"
    assert new in done.stdout
