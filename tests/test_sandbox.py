"""Adversarial tests of the bubblewrap sandbox: one per guarantee, each against a real sandbox.

Every test first shows that the thing it forbids is possible outside the sandbox (a reachable server,
a visible file, a controlling terminal...), so that a broken sandbox fails the test."""

from __future__ import annotations

import asyncio
import http.server
import logging
import os
import pty
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from agentic_pipeline import sandbox as sandbox_mod
from agentic_pipeline.sandbox import (
    TIMEOUT_EXIT_CODE,
    Limits,
    Sandbox,
    SandboxUnavailable,
    check_bwrap,
    process_cap_mechanism,
)

try:
    check_bwrap()
    BWRAP_REASON = ""
except SandboxUnavailable as exc:
    BWRAP_REASON = str(exc)

needs_bwrap = pytest.mark.skipif(bool(BWRAP_REASON), reason=f"bwrap sandbox unavailable: {BWRAP_REASON}")
pytestmark = needs_bwrap

FAST = Limits(timeout_s=10)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    return ws


@pytest.fixture
def sb(workspace: Path) -> Sandbox:
    return Sandbox(workspace, FAST)


# ---------------------------------------------------------------------------------------------
# Basic contract


def test_exit_code_output_and_workspace_writes_persist(sb: Sandbox, workspace: Path) -> None:
    result = sb.run("pwd; echo to-stderr >&2; mkdir -p pkg && echo data > pkg/out.txt; exit 3")
    assert result.exit_code == 3
    assert not result.timed_out and not result.truncated
    assert result.output.splitlines() == ["/workspace", "to-stderr"]
    assert (workspace / "pkg" / "out.txt").read_text() == "data\n"


def test_argv_commands_and_stdin(sb: Sandbox) -> None:
    result = sb.run(["python", "-c", "import sys; print(sys.stdin.read().upper())"], stdin="hello")
    assert (result.exit_code, result.output) == (0, "HELLO\n")


def test_signal_death_reports_128_plus_signal(sb: Sandbox) -> None:
    assert sb.run("kill -9 $$").exit_code == 128 + 9


def test_same_python_and_pytest_and_git_work_inside(sb: Sandbox, workspace: Path) -> None:
    (workspace / "test_mod.py").write_text("def test_ok():\n    assert 1 + 1 == 2\n")
    result = sb.run("python -c 'import sys; print(sys.prefix)' && python -m pytest -q -p no:cacheprovider")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == sys.prefix
    assert "1 passed" in result.output
    git = sb.run("git init -q && git add -A && git commit -qm first && git log --format='%an %s'")
    assert git.exit_code == 0, git.output
    assert git.output.strip() == "Agent first"
    # No editor to wait for: git falls back to default messages instead of hanging until the timeout.
    revert = sb.run(
        "git revert --no-edit HEAD >/dev/null && git revert HEAD >/dev/null && git log --format=%s -1"
    )
    assert (revert.exit_code, revert.timed_out) == (0, False), revert.output
    assert revert.output.startswith('Revert "Revert "first""')
    assert not list(workspace.rglob("__pycache__")), "PYTHONDONTWRITEBYTECODE is not set"


def test_async_runs_concurrently(sb: Sandbox) -> None:
    async def many() -> list[str]:
        results = await asyncio.gather(*(sb.arun(f"echo {i}") for i in range(4)))
        return [r.output.strip() for r in results]

    assert asyncio.run(many()) == ["0", "1", "2", "3"]


# ---------------------------------------------------------------------------------------------
# Isolation


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"host-secret-page")

    def log_message(self, *args) -> None:
        pass


def test_no_network_not_even_host_loopback(sb: Sandbox) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        assert urllib.request.urlopen(url, timeout=5).read() == b"host-secret-page"  # reachable from the host
        fetch = f"import urllib.request; print(urllib.request.urlopen({url!r}, timeout=2).read())"
        result = sb.run(["python", "-c", fetch])
        assert result.exit_code != 0
        assert "host-secret-page" not in result.output
        assert "Connection refused" in result.output
        curl = sb.run(f"curl -sS --max-time 2 {url}") if Path("/usr/bin/curl").exists() else None
        if curl is not None:
            assert curl.exit_code != 0 and "host-secret-page" not in curl.output
        interfaces = sb.run("tail -n +3 /proc/net/dev | cut -d: -f1")
        assert interfaces.output.split() == ["lo"]
        dns = sb.run(["python", "-c", "import socket; socket.getaddrinfo('pypi.org', 443)"])
        assert dns.exit_code != 0
    finally:
        server.shutdown()


def test_nothing_outside_the_workspace_is_writable(sb: Sandbox, tmp_path: Path) -> None:
    name = f"agentic-escape-{uuid.uuid4().hex}"
    host_tmp = Path("/tmp") / name
    targets = [
        f"/tmp/{name}",
        f"/usr/{name}",
        f"/etc/{name}",
        f"/{name}",
        f"{sys.prefix}/{name}",
        str(tmp_path / name),
    ]
    script = "; ".join(f"echo x > {t} && echo WROTE {t}" for t in targets[1:])
    result = sb.run(f"echo x > /tmp/{name} && cat /tmp/{name}; {script}; echo root >> /etc/passwd")
    assert result.output.splitlines()[0] == "x"  # the private /tmp is writable ...
    assert not host_tmp.exists()  # ... but it is not the host's /tmp
    assert "WROTE" not in result.output
    assert "Read-only file system" in result.output
    for target in targets[1:]:
        assert not Path(target).exists(), target
    assert "root" not in Path("/etc/passwd").read_text().splitlines()[-1:]


def test_host_home_and_project_files_are_invisible(sb: Sandbox) -> None:
    home = Path.home()
    secret = home / f".agentic-test-secret-{uuid.uuid4().hex}"
    secret.write_text("api-key-123")
    try:
        assert secret.read_text() == "api-key-123"
        result = sb.run(f"cat {secret}; ls -A {home}; ls -A {home}/.ssh; cat {Path(__file__)}; ls /run /var")
        assert "api-key-123" not in result.output
        assert "No such file or directory" in result.output
        assert "cannot access '/run'" in result.output and "cannot access '/var'" in result.output
        # Only the directories leading to the bound Python installation exist in the home.
        listing = sb.run(f"ls -A {home}").output.split()
        assert secret.name not in listing
        allowed = {
            Path(p).relative_to(home).parts[0]
            for p in sandbox_mod._python_roots()
            if Path(p).is_relative_to(home)
        }
        assert set(listing) <= allowed
        assert "adversarial tests of the bubblewrap" not in result.output.lower()
    finally:
        secret.unlink()


def test_host_processes_are_invisible(sb: Sandbox) -> None:
    marker = f"agentic-host-process-{uuid.uuid4().hex}"
    host = subprocess.Popen(["bash", "-c", f"exec -a {marker} sleep 30"])
    try:
        assert marker in subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
        result = sb.run("ps -eo pid,args; ls /proc | grep -c '^[0-9]'")
        assert marker not in result.output
        # bwrap (pid 1), prlimit-exec'd bash, ps and the grep pipeline: a handful, not the host's hundreds.
        assert int(result.output.split()[-1]) <= 6
        kill = sb.run(f"kill -9 {host.pid}")
        assert kill.exit_code != 0
        assert host.poll() is None
    finally:
        host.kill()
        host.wait()


def test_host_environment_secrets_are_absent(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = {
        "ANTHROPIC_API_KEY": "sk-ant-test-secret-1",
        "OPENAI_API_KEY": "sk-test-secret-2",
        "GITHUB_TOKEN": "ghp_test_secret_3",
        "AWS_SECRET_ACCESS_KEY": "aws-test-secret-4",
    }
    for key, value in secrets.items():
        monkeypatch.setenv(key, value)
    assert subprocess.run(["env"], capture_output=True, text=True).stdout.count("test-secret") + 1 >= 2
    result = Sandbox(workspace, FAST, env={"EXTRA_SETTING": "kept"}).run(
        "env; cat /proc/1/environ | tr '\\0' '\\n'"
    )
    for key, value in secrets.items():
        assert key not in result.output
        assert value not in result.output
    assert "EXTRA_SETTING=kept" in result.output
    assert "HOME=/home/agent" in result.output


def test_new_session_has_no_controlling_terminal(workspace: Path) -> None:
    """A command that can open the controlling terminal could push keystrokes into it (TIOCSTI)."""
    pid, fd = pty.fork()
    if pid == 0:  # child: the pty is its controlling terminal
        try:
            with open("/dev/tty", "w") as tty:
                tty.write("HOST-TTY-OK\n")
            probe = "import os; fd = os.open('/dev/tty', os.O_RDWR); print('SANDBOX-TTY-OPENED')"
            result = Sandbox(workspace, FAST).run(["python", "-c", probe])
            os.write(
                1, f"SANDBOX-RESULT {result.exit_code} {result.output.strip().splitlines()[-1]}\n".encode()
            )
            # Control: without bwrap's new session the same probe reaches the terminal.
            bare = Sandbox(workspace, FAST, backend="subprocess").run(["python", "-c", probe])
            os.write(1, f"UNSANDBOXED {bare.output.strip()}\n".encode())
        finally:
            sandbox_mod._SLOTS.close()  # os._exit skips atexit
            os._exit(0)
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.waitpid(pid, 0)
    text = b"".join(chunks).decode()
    assert "HOST-TTY-OK" in text
    assert "No such device or address" in text
    assert "SANDBOX-RESULT 1 OSError" in text.replace("SANDBOX-TTY-OPENED", "")
    assert text.count("SANDBOX-TTY-OPENED") == 1  # only the unsandboxed control
    assert "UNSANDBOXED SANDBOX-TTY-OPENED" in text


def test_no_capabilities_no_mounts_no_nested_namespaces(sb: Sandbox) -> None:
    caps = sb.run("grep -E '^Cap(Eff|Prm|Bnd)' /proc/self/status | cut -f2")
    assert caps.output.split() == ["0000000000000000"] * 3
    mount = sb.run("mkdir -p m && mount -t tmpfs none m && echo MOUNTED; mount -o remount,rw /usr && echo RW")
    assert "MOUNTED" not in mount.output and "RW" not in mount.output
    nested = sb.run("unshare -U true && echo NESTED")
    assert nested.exit_code != 0 and "NESTED" not in nested.output


# ---------------------------------------------------------------------------------------------
# Limits


def test_timeout_kills_whole_tree_and_keeps_partial_output(sb: Sandbox, workspace: Path) -> None:
    command = (
        "echo started; "
        "(sleep 1.5; touch /workspace/marker_bg) & "
        "setsid bash -c 'sleep 1.5; touch /workspace/marker_daemon' & "
        "nohup bash -c 'trap \"\" TERM HUP; sleep 1.5; touch /workspace/marker_nohup' >/dev/null 2>&1 & "
        "sleep 30"
    )
    result = sb.run(command, timeout=1)
    assert result.timed_out
    assert result.exit_code == TIMEOUT_EXIT_CODE
    assert result.output == "started\n"
    time.sleep(2.0)  # past the moment the background children would have written their markers
    assert sorted(p.name for p in workspace.iterdir()) == []


def test_background_child_holding_stdout_does_not_hang(sb: Sandbox) -> None:
    result = sb.run("(sleep 30 &); setsid sleep 30 & echo done", timeout=5)
    assert not result.timed_out
    assert (result.exit_code, result.output) == (0, "done\n")


def test_memory_cap(workspace: Path) -> None:
    sb = Sandbox(workspace, Limits(timeout_s=10, memory_mb=1024))
    small = sb.run(["python", "-c", "b = bytearray(100 * 1024 * 1024); print(len(b))"])
    assert small.exit_code == 0, small.output
    big = sb.run(["python", "-c", "b = bytearray(4 * 1024 ** 3); print('allocated')"])
    assert big.exit_code != 0
    assert "MemoryError" in big.output
    assert "allocated" not in big.output
    raise_cap = sb.run("ulimit -v unlimited && echo raised")
    assert raise_cap.exit_code != 0 and "raised" not in raise_cap.output


@pytest.mark.skipif(process_cap_mechanism() == "none", reason="root without a writable pids cgroup")
def test_process_cap_bounds_a_fork_bomb(workspace: Path) -> None:
    bomb = (
        "import os, time\n"
        "n = 0\n"
        "try:\n"
        "    while n < 500:\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(5)\n"
        "            os._exit(0)\n"
        "        n += 1\n"
        "    print('forked', n)\n"
        "except OSError as exc:\n"
        "    print('fork failed after', n, exc.strerror)\n"
    )
    result = Sandbox(workspace, Limits(timeout_s=10, max_procs=24)).run(["python", "-c", bomb])
    assert "fork failed after" in result.output, result.output
    assert int(result.output.split()[3]) < 24
    roomy = Sandbox(workspace, Limits(timeout_s=10, max_procs=256)).run(
        ["python", "-c", bomb.replace("500", "40")]
    )
    assert "forked 40" in roomy.output


def test_file_size_cap(sb: Sandbox, workspace: Path) -> None:
    capped = Sandbox(workspace, Limits(timeout_s=10, max_file_mb=1))
    result = capped.run(["python", "-c", "open('big.bin', 'wb').write(b'x' * (3 * 1024 * 1024))"])
    assert result.exit_code != 0
    assert "File too large" in result.output
    assert (workspace / "big.bin").stat().st_size <= 1024 * 1024
    shell = capped.run("head -c 3M /dev/zero > big2.bin")
    assert shell.exit_code == 128 + 25  # SIGXFSZ
    assert (workspace / "big2.bin").stat().st_size <= 1024 * 1024
    assert sb.run("head -c 3M /dev/zero > ok.bin").exit_code == 0  # the default cap allows it


def test_output_is_truncated_with_marker(workspace: Path) -> None:
    result = Sandbox(workspace, Limits(timeout_s=10, max_output_bytes=1000)).run("seq 1 100000")
    assert result.truncated and result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[:3] == ["1", "2", "3"]
    assert lines[-1] == "100000"
    total = len("\n".join(str(i) for i in range(1, 100001))) + 1
    marker = [line for line in lines if line.startswith("[... output truncated")]
    assert marker == [f"[... output truncated: {total - 1000} bytes dropped ...]"]
    assert len(result.output.encode()) < 1100


# ---------------------------------------------------------------------------------------------
# Availability and the unsafe backend


def test_missing_bwrap_gives_install_instructions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH where no bwrap can be found
    sandbox_mod._bwrap_status.cache_clear()
    try:
        with pytest.raises(SandboxUnavailable, match="apt-get install bubblewrap"):
            check_bwrap()
        with pytest.raises(SandboxUnavailable):
            Sandbox(tmp_path, FAST)
    finally:
        monkeypatch.undo()
        sandbox_mod._bwrap_status.cache_clear()
    check_bwrap()


def test_bwrap_without_user_namespaces_says_how_to_enable_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # What bwrap 0.8 prints on a kernel with unprivileged user namespaces disabled.
    fake = tmp_path / "bwrap"
    fake.write_text(
        "#!/bin/sh\necho 'bwrap: No permissions to creating new namespace, likely because the kernel does not "
        "allow non-privileged user namespaces.' >&2\nexit 1\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    sandbox_mod._bwrap_status.cache_clear()
    try:
        with pytest.raises(SandboxUnavailable, match="unprivileged_userns_clone=1") as err:
            check_bwrap()
        assert "non-privileged user namespaces" in str(err.value)
    finally:
        monkeypatch.undo()
        sandbox_mod._bwrap_status.cache_clear()


def test_subprocess_backend_is_explicit_and_warns(workspace: Path, caplog, monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-secret-5")
    with pytest.raises(ValueError, match="unknown sandbox backend"):
        Sandbox(workspace, FAST, backend="docker")
    with caplog.at_level(logging.WARNING, logger="agentic_pipeline.sandbox"):
        unsafe = Sandbox(workspace, FAST, backend="subprocess")
    assert "NO isolation" in caplog.text
    result = unsafe.run("pwd; env; echo hi > made.txt; exit 4")
    assert result.exit_code == 4
    assert result.output.splitlines()[0] == str(workspace.resolve())
    assert "sk-ant-test-secret-5" not in result.output
    assert (workspace / "made.txt").read_text() == "hi\n"
    timed = unsafe.run("echo partial; sleep 30", timeout=1)
    assert timed.timed_out and timed.output == "partial\n"


# ---------------------------------------------------------------------------------------------
# CLI


def test_cli_run_and_check(workspace: Path) -> None:
    from typer.testing import CliRunner

    from agentic_pipeline.cli import app

    runner = CliRunner()
    done = runner.invoke(
        app, ["sandbox", "run", "--workspace", str(workspace), "--", "echo hi > f.txt; cat f.txt; exit 7"]
    )
    assert done.exit_code == 7
    assert done.stdout == "hi\n"
    assert (workspace / "f.txt").read_text() == "hi\n"
    argv = runner.invoke(app, ["sandbox", "run", "-w", str(workspace), "--", "python", "-c", "print(6 * 7)"])
    assert (argv.exit_code, argv.stdout) == (0, "42\n")
    timed = runner.invoke(
        app, ["sandbox", "run", "-w", str(workspace), "--timeout", "1", "--", "echo a; sleep 20"]
    )
    assert timed.exit_code == TIMEOUT_EXIT_CODE
    assert "timed out" in timed.stderr
    missing = runner.invoke(app, ["sandbox", "run", "-w", str(workspace / "nope"), "--", "true"])
    assert missing.exit_code == 2 and "no such folder" in missing.stderr
    check = runner.invoke(app, ["sandbox", "check"])
    assert check.exit_code == 0 and "works here" in check.stdout
