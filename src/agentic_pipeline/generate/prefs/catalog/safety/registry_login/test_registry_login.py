import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).with_name("registry_login.sh")


def test_logs_in(tmp_path):
    # a stand-in `docker` records its arguments and standard input (no daemon, no network)
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    record = tmp_path / "docker.txt"
    fake = bin_dir / "docker"
    fake.write_text(
        "#!/bin/bash\n"
        f'printf "%s\\n" "$@" > {record}\n'
        f'if [[ " $* " == *" --password-stdin "* ]]; then cat >> {record}; fi\n'
    )
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}",
           "REGISTRY_USER": "ci-bot", "REGISTRY_PASSWORD": "pa55-word"}  # fmt: skip
    done = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    seen = record.read_text()
    assert seen.startswith("login\n") and "registry.example.com" in seen and "ci-bot" in seen
    assert "pa55-word" in seen
    assert "logged in as ci-bot" in done.stdout
