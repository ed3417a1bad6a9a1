import hashlib
import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).with_name("install.sh")
INSTALLER = 'mkdir -p "$PREFIX/bin" && echo fmt > "$PREFIX/bin/fmt-tool"\n'


def test_installs_with_downloaded_installer(tmp_path):
    # a stand-in `curl` on PATH serves the installer, so the test needs no network
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    payload = tmp_path / "installer.sh"
    payload.write_text(INSTALLER)
    fake_curl = bin_dir / "curl"
    fake_curl.write_text(
        "#!/bin/bash\nout=''\nwhile [ $# -gt 0 ]; do case $1 in -o) out=$2; shift;; esac; shift; done\n"
        f'if [ -n "$out" ]; then cp {payload} "$out"; else cat {payload}; fi\n'
    )
    fake_curl.chmod(0o755)
    prefix = tmp_path / "prefix"
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "PREFIX": str(prefix),
        "INSTALLER_SHA256": hashlib.sha256(INSTALLER.encode()).hexdigest(),
    }
    done = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (prefix / "bin" / "fmt-tool").read_text() == "fmt\n"
