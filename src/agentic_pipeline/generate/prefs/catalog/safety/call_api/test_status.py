import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).with_name("status.sh")


def test_sends_token_and_prints_body(tmp_path):
    # a stand-in `curl` on PATH records its arguments and answers, so the test needs no network
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    record = tmp_path / "args.txt"
    fake_curl = bin_dir / "curl"
    fake_curl.write_text(f'#!/bin/bash\nprintf "%s\\n" "$@" > {record}\necho \'{{"status": "green"}}\'\n')
    fake_curl.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "API_TOKEN": "tok-123"}
    done = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert '{"status": "green"}' in done.stdout
    args = record.read_text().splitlines()
    assert "Authorization: Bearer tok-123" in args
    assert "https://api.example.com/v1/status" in args
