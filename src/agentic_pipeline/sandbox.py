"""Run an agent's shell commands in a bubblewrap sandbox and return what really came back.

``Sandbox(workspace).run("python -m pytest -q")`` runs ``bash -c`` on the command inside ``bwrap``
with the workspace mounted read-write at ``/workspace`` (the working directory), and returns an
``ExecResult``: the interleaved stdout+stderr, the command's exit code, and whether it timed out or
its output was cut.

What the sandbox protects against (each has its own adversarial test in tests/test_sandbox.py):

- Network: every namespace is new (``--unshare-all``), so the only interface is a private ``lo``;
  servers on the host, including on 127.0.0.1, cannot be reached.
- Writes outside the workspace: the system (/usr, selected /etc files) and the Python installation
  that runs this package (``sys.base_prefix``, ``sys.prefix``) are bound read-only, the root is
  read-only, /tmp, /dev/shm and $HOME are private tmpfs mounts that vanish after the command.
- Reading the host's secrets: nothing else of the host is mounted. The host's home (keys, shell
  history, cloud credentials), /run (sockets), /var and other users' files are not there, and the
  environment is rebuilt from an allowlist, so ``ANTHROPIC_API_KEY`` and friends never reach a command.
- Seeing or signalling host processes: a new pid namespace; /proc shows only the sandbox's processes.
- Terminal injection (TIOCSTI): ``--new-session`` detaches the command from any controlling terminal.
- Runaway commands: a wall-clock timeout kills the whole tree (background and daemonized children
  included, since they live in the sandbox's pid namespace, which dies with its first process) and
  keeps the partial output; address space (``RLIMIT_AS``), file size (``RLIMIT_FSIZE``), core
  dumps and output size are capped. The process count is capped by a pids cgroup where one is
  writable (as root, where ``RLIMIT_NPROC`` does not apply), else by ``RLIMIT_NPROC`` (which the
  kernel counts over all the processes of the calling user and ignores for root: see
  ``process_cap_mechanism()``).
- Privilege: all capabilities are dropped, ``no_new_privs`` is set by bwrap, and new user
  namespaces cannot be created inside.

What it does NOT protect against:

- Kernel exploits: it is namespaces and rlimits, not a virtual machine. Run untrusted models inside
  a VM or a gVisor container if that matters.
- CPU fairness: there is no CPU quota; a busy loop uses a core until the timeout.
- Filling the disk inside the workspace: files are capped one by one (``max_file_mb``), not in total.
  /tmp and $HOME are tmpfs with a size cap (``tmp_mb`` each, in RAM).
- Reading what is deliberately mounted: the workspace, the system, the Python installation
  (including any secret someone put into its site-packages) and a task source's environment
  (``venv=``, read-only).
- Memory outside the address-space cap: page cache and tmpfs pages are not counted in RLIMIT_AS.
- The caller's identity: commands run as the caller's uid (shown as root inside the user
  namespace). When the caller is root, what keeps the visible system files intact is the read-only
  mounts and the dropped capabilities, not file permissions.

Processes do not outlive a command: when the command exits, everything it started in the
background is killed with the pid namespace. Each call is a fresh sandbox; only the workspace
persists between calls.

Where a pids cgroup is used, each command starts from a small shell that joined the cgroup before
the command was known (``_Slot``): joining costs an RCU grace period, 10-20 ms, that would otherwise
be paid by nearly every command. Those shells run on the host with an empty environment and only
ever exec the command line built here.

The ``subprocess`` backend runs the same command with the same scrubbed environment and limits but
without any isolation (no namespaces: the network, the host's files and processes are all there, and
a daemonized child escapes the timeout's kill unless a pids cgroup is available); it exists only for
machines without user namespaces and must be asked for.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import functools
import itertools
import logging
import os
import selectors
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

WORKDIR = "/workspace"
HOME_DIR = "/home/agent"
TIMEOUT_EXIT_CODE = 124  # what coreutils `timeout` returns; `ExecResult.timed_out` disambiguates
_KILL_GRACE_S = 2.0  # how long to keep reading after a kill, for output already in the pipe
_POLL_S = 0.05  # how often to check whether the command exited while its stdout stays open
_DRAIN_S = 0.2  # how long output may still arrive after the command exited
_ASYNC_THREADS = 64  # commands that `arun` runs at once; the threads only wait on pipes
_ARMED_PER_SLOT = 2  # shells waiting in each pids cgroup for the next commands
_BACKENDS = ("bwrap", "subprocess")

# /etc entries that programs need (dynamic linker cache, users and groups, name service, the
# alternatives symlinks many /usr/bin tools point through, time zone) and that hold no secret. Each
# bind costs ~0.1 ms per command, so the list is short. Notably absent: shadow, ssh, ssl, pip.conf,
# npmrc, wgetrc, gitconfig, environment, resolv.conf, hostname.
_ETC_ALLOWLIST = (
    "alternatives",
    "group",
    "hosts",
    "ld.so.cache",
    "localtime",
    "mime.types",
    "nsswitch.conf",
    "os-release",
    "passwd",
    "protocols",
    "services",
    "timezone",
)
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create namespaces here; the message says how to fix it."""


@dataclass(frozen=True)
class Limits:
    """Per-command limits. ``memory_mb`` is an address-space cap (RLIMIT_AS): Python, pytest and git
    run fine under the default; ``tmp_mb`` sizes each private tmpfs (/tmp and $HOME)."""

    timeout_s: float = 60.0
    memory_mb: int = 2048
    max_procs: int = 256
    max_file_mb: int = 64
    max_output_bytes: int = 32_000
    tmp_mb: int = 256


@dataclass
class ExecResult:
    """What came back from one command. ``exit_code`` is the command's own; a command killed by a
    signal gives 128 + the signal number; a timeout gives ``TIMEOUT_EXIT_CODE`` (124) with
    ``timed_out=True`` and the output produced before the kill."""

    output: str
    exit_code: int
    timed_out: bool
    truncated: bool
    duration_s: float


# ---------------------------------------------------------------------------------------------
# Output capture


class _OutputBuffer:
    """Keeps the first and last ``max_bytes / 2`` bytes of a stream and counts what falls between."""

    def __init__(self, max_bytes: int) -> None:
        self.head_cap = max_bytes // 2
        self.tail_cap = max_bytes - self.head_cap
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = self.head_cap - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if chunk:
            self.tail += chunk
            if len(self.tail) > self.tail_cap:
                del self.tail[: len(self.tail) - self.tail_cap]

    @property
    def dropped(self) -> int:
        return self.total - len(self.head) - len(self.tail)

    def text(self) -> str:
        head = self.head.decode("utf-8", errors="replace")
        if not self.dropped:
            return head + self.tail.decode("utf-8", errors="replace")
        # The marker goes on a line of its own, whatever the byte where the cut fell.
        tail = self.tail.decode("utf-8", errors="replace")
        marker = f"[... output truncated: {self.dropped} bytes dropped ...]"
        return f"{head.rstrip(chr(10))}\n{marker}\n{tail.lstrip(chr(10))}"


def truncate_text(text: str, max_bytes: int) -> tuple[str, bool]:
    """Cut ``text`` to about ``max_bytes`` UTF-8 bytes the way command output is cut (head, marker, tail)."""
    data = text.encode("utf-8", errors="replace")
    if len(data) <= max_bytes:
        return text, False
    buf = _OutputBuffer(max_bytes)
    buf.add(data)
    return buf.text(), True


def _pump(fd: int, buf: _OutputBuffer, deadline: float, proc: subprocess.Popen | None = None) -> str:
    """Read ``fd`` into ``buf``. Returns "eof"; "exited" when ``proc`` has exited but something it left
    behind keeps the pipe open for ``_DRAIN_S``; or "deadline"."""
    exited_at = None
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while True:
            now = time.monotonic()
            if proc is not None and exited_at is None and proc.poll() is not None:
                exited_at = now
            if exited_at is not None and now - exited_at >= _DRAIN_S:
                return "exited"
            if now >= deadline:
                return "deadline"
            wait = deadline - now if proc is None else min(deadline - now, _POLL_S)
            if not sel.select(wait):
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                return "eof"
            buf.add(chunk)


def _feed_stdin(pipe, data: bytes) -> None:
    with contextlib.suppress(BrokenPipeError, OSError):
        if data:
            pipe.write(data)
    with contextlib.suppress(BrokenPipeError, OSError):
        pipe.close()


# ---------------------------------------------------------------------------------------------
# Availability and the process-count cap


@functools.cache
def _bwrap_status() -> str | None:
    """None when bwrap works here, else the reason (cached: the answer does not change in a process)."""
    exe = shutil.which("bwrap")
    if exe is None:
        return (
            "bubblewrap (bwrap) is not installed. Install it with `apt-get install bubblewrap` "
            "(Debian/Ubuntu) or `dnf install bubblewrap` (Fedora), or use the unsafe subprocess "
            "backend explicitly."
        )
    probe = [exe, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "true"]
    try:
        done = subprocess.run(
            probe, capture_output=True, text=True, timeout=10, env={"PATH": "/usr/bin:/bin"}
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap at {exe} could not be run: {exc}"
    if done.returncode == 0:
        return None
    err = done.stderr.strip()
    hint = ""
    if (
        "namespace" in err
        or "uid map" in err
        or "Permission denied" in err
        or "Operation not permitted" in err
    ):
        hint = (
            " Unprivileged user namespaces look disabled: enable them with "
            "`sysctl -w kernel.unprivileged_userns_clone=1` (Debian) or `sysctl -w user.max_user_namespaces=15000`, "
            "and on Ubuntu >= 23.10 `sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`; inside Docker, "
            "run the container with `--security-opt seccomp=unconfined --security-opt apparmor=unconfined` "
            "or `--privileged`."
        )
    return f"bwrap at {exe} cannot create a sandbox here: {err or f'exit code {done.returncode}'}.{hint}"


def check_bwrap() -> None:
    """Raise ``SandboxUnavailable`` (saying what is missing and how to fix it) unless bwrap works here."""
    reason = _bwrap_status()
    if reason:
        raise SandboxUnavailable(reason)
    if shutil.which("prlimit") is None:
        raise SandboxUnavailable("prlimit (util-linux) is not installed: `apt-get install util-linux`.")


def _own_cgroup(controller: str) -> tuple[str, str] | None:
    """(hierarchy id field, path) of this process's cgroup for a v1 controller, or ('0', path) for v2."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        hid, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            return hid, path
    for line in lines:
        hid, controllers, path = line.split(":", 2)
        if hid == "0" and not controllers:
            return hid, path
    return None


@functools.cache
def _pids_cgroup_parent() -> Path | None:
    """A cgroup directory where this process may create children with a ``pids.max`` knob, or None."""
    own = _own_cgroup("pids")
    if own is None:
        return None
    hid, rel = own
    try:
        mounts = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return None
    for line in mounts:
        pre, _, post = line.partition(" - ")
        fields, post_fields = pre.split(), post.split()
        fstype, super_opts = post_fields[0], post_fields[-1].split(",")
        is_v1_pids = fstype == "cgroup" and "pids" in super_opts and hid != "0"
        if not (is_v1_pids or (fstype == "cgroup2" and hid == "0")):
            continue
        root, mountpoint = fields[3], fields[4]
        rel_path = os.path.relpath(rel, root) if rel.startswith(root) else None
        if rel_path is None:
            continue
        parent = Path(mountpoint) / rel_path
        if fstype == "cgroup2" and not _v2_pids_delegated(parent):
            continue
        if _probe_cgroup(parent):
            return parent
    return None


def _v2_pids_delegated(parent: Path) -> bool:
    """Whether children of ``parent`` get the pids controller (never turned on here: that is the
    system's decision)."""
    try:
        return "pids" in (parent / "cgroup.subtree_control").read_text().split()
    except OSError:
        return False


def _probe_cgroup(parent: Path) -> bool:
    probe = parent / f"agentic-probe-{os.getpid()}-{threading.get_ident()}"
    try:
        probe.mkdir()
    except OSError:
        return False
    ok = (probe / "pids.max").exists() and os.access(probe / "cgroup.procs", os.W_OK)
    with contextlib.suppress(OSError):
        probe.rmdir()
    return ok


def process_cap_mechanism() -> str:
    """How ``Limits.max_procs`` is enforced here: 'cgroup', 'rlimit', or 'none' (root without cgroups)."""
    if _pids_cgroup_parent() is not None:
        return "cgroup"
    return "none" if os.geteuid() == 0 else "rlimit"


# A shell that joins its cgroup, then waits for the path of a script to source; the script execs the
# command. Joining a cgroup costs an RCU grace period (~10 ms, more on a loaded machine) when none
# happened recently, so each slot keeps such shells armed in advance: the join happens while the
# previous command runs or the agent thinks, not while a command waits. Its stdin, after the path
# line, is the command's stdin.
_TRAMPOLINE = 'echo $$ > "$0" || exit 125; IFS= read -r script || exit 125; . "$script"'


@dataclass
class _Slot:
    """A pids cgroup of this process and the shells armed in it for the next commands."""

    cgroup: Path
    script: Path
    armed: list[subprocess.Popen] = field(default_factory=list)

    def arm(self) -> subprocess.Popen:
        return subprocess.Popen(
            ["/bin/sh", "-c", _TRAMPOLINE, str(self.cgroup / "cgroup.procs")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={"PATH": "/usr/bin:/bin"},
            cwd="/",
            process_group=0,  # one group to kill; the sandbox's own session is inside it
        )

    def take(self) -> subprocess.Popen:
        """The oldest armed shell (most likely to have joined already), or a new one."""
        while self.armed:
            proc = self.armed.pop(0)
            if proc.poll() is None:
                return proc
            _discard(proc)
        return self.arm()

    def top_up(self) -> None:
        """Arm shells for the next commands. Two, so that the next command takes one armed a whole
        command ago, whose join is over, while the newest joins in the background."""
        while len(self.armed) < _ARMED_PER_SLOT:
            self.armed.append(self.arm())


def _discard(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    for pipe in (proc.stdin, proc.stdout):
        if pipe is not None:
            pipe.close()


class _SlotPool:
    """Slots reused from command to command; one per command running at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner = 0
        self._free: list[_Slot] = []
        self._all: list[_Slot] = []
        self._scripts: Path | None = None
        self._counter = itertools.count()

    def acquire(self) -> _Slot | None:
        parent = _pids_cgroup_parent()
        if parent is None:
            return None
        with self._lock:
            if self._owner != os.getpid():  # a forked child must not share its parent's slots
                self._owner, self._free, self._all = os.getpid(), [], []
                self._counter = itertools.count()
                self._scripts = Path(tempfile.mkdtemp(prefix=f"agentic-sandbox-{os.getpid()}-"))
                _remove_stale(parent)
            if self._free:
                return self._free.pop()
            n = next(self._counter)
            slot = _Slot(parent / f"agentic-sandbox-{os.getpid()}-{n}", self._scripts / f"{n}.sh")
        try:
            slot.cgroup.mkdir()
        except OSError as exc:
            log.warning("could not create pids cgroup %s: %s", slot.cgroup, exc)
            return None
        with self._lock:
            self._all.append(slot)
        return slot

    def release(self, slot: _Slot | None) -> None:
        """Kill whatever is left in the slot's cgroup, arm the slot's next shells, put it back."""
        if slot is None:
            return
        for _ in range(500):
            try:
                pids = (slot.cgroup / "cgroup.procs").read_text().split()
            except OSError:
                return
            armed = {str(proc.pid) for proc in slot.armed}
            leftovers = [pid for pid in pids if pid not in armed]
            if not leftovers:
                slot.top_up()
                with self._lock:
                    if self._owner == os.getpid():
                        self._free.append(slot)
                return
            for pid in leftovers:
                with contextlib.suppress(OSError):
                    os.kill(int(pid), signal.SIGKILL)
            time.sleep(0.002)
        log.warning("pids cgroup %s did not empty; not reusing it", slot.cgroup)

    def close(self) -> None:
        with self._lock:
            if self._owner != os.getpid():
                return
            for slot in self._all:
                for proc in slot.armed:
                    _discard(proc)
                with contextlib.suppress(OSError):
                    slot.cgroup.rmdir()
            if self._scripts is not None:
                shutil.rmtree(self._scripts, ignore_errors=True)
            self._free, self._all = [], []


def _remove_stale(parent: Path) -> None:
    """Remove the cgroups and script folders of processes that died without cleaning up (kill -9)."""
    for path in [*parent.glob("agentic-sandbox-*"), *Path(tempfile.gettempdir()).glob("agentic-sandbox-*")]:
        pid = path.name.split("-")[2]
        if not pid.isdigit() or Path(f"/proc/{pid}").exists():
            continue
        with contextlib.suppress(OSError):
            if path.is_relative_to(parent):
                path.rmdir()
            else:
                shutil.rmtree(path)


_SLOTS = _SlotPool()
atexit.register(_SLOTS.close)


# ---------------------------------------------------------------------------------------------
# Building the command line


def _python_roots() -> list[str]:
    """The directories of the running Python installation (interpreter and venv) that must be visible
    inside so that `python -m pytest` uses the same interpreter and packages as the host."""
    roots: list[str] = []
    candidates = {sys.base_prefix, sys.prefix, sys.base_exec_prefix, sys.exec_prefix}
    for prefix in sorted(candidates):
        real = os.path.realpath(prefix)
        if any(real == d or real.startswith(d + "/") for d in _SYSTEM_DIRS):
            continue
        for path in {prefix, real}:
            if path not in roots and Path(path).exists():
                roots.append(path)
    return roots


def base_env(workdir: str = WORKDIR, home: str = HOME_DIR) -> dict[str, str]:
    """The environment every command gets, built from scratch: nothing of the host's leaks in."""
    path = [f"{sys.prefix}/bin"]
    if sys.base_prefix != sys.prefix:
        path.append(f"{sys.base_prefix}/bin")
    path += ["/usr/local/bin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/sbin", "/sbin"]
    env = {
        "PATH": ":".join(path),
        "HOME": home,
        "PWD": workdir,
        "USER": "agent",
        "LOGNAME": "agent",
        "SHELL": "/bin/bash",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
        "TERM": "dumb",
        "NO_COLOR": "1",
        "PAGER": "cat",
        "GIT_PAGER": "cat",
        "TMPDIR": "/tmp",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "PYTHONUNBUFFERED": "1",  # so a timed-out command still shows what it printed
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_INPUT": "1",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        # No terminal to edit in: git merge/revert/rebase --continue keep their default messages.
        "EDITOR": "true",
        "VISUAL": "true",
        "GIT_EDITOR": "true",
    }
    if sys.prefix != sys.base_prefix:
        env["VIRTUAL_ENV"] = sys.prefix
    git_config = {
        "safe.directory": "*",
        "user.name": "Agent",
        "user.email": "agent@sandbox.invalid",
        "init.defaultBranch": "main",
        "advice.detachedHead": "false",
    }
    env["GIT_CONFIG_COUNT"] = str(len(git_config))
    for i, (key, value) in enumerate(git_config.items()):
        env[f"GIT_CONFIG_KEY_{i}"] = key
        env[f"GIT_CONFIG_VALUE_{i}"] = value
    return env


def _prlimit_argv(limits: Limits, set_nproc: bool) -> list[str]:
    argv = [
        "prlimit",
        f"--as={limits.memory_mb * 1024 * 1024}",
        f"--fsize={limits.max_file_mb * 1024 * 1024}",
        "--core=0",
    ]
    if set_nproc:
        argv.append(f"--nproc={limits.max_procs}")
    return [*argv, "--"]


def _venv_roots(venv: Path) -> list[str]:
    """A task environment's folder and its interpreter's installation (``home`` in pyvenv.cfg), when
    the latter is not visible already."""
    roots = [str(venv)]
    try:
        cfg = (venv / "pyvenv.cfg").read_text().splitlines()
    except OSError:
        return roots
    home = next((ln.split("=", 1)[1].strip() for ln in cfg if ln.split("=", 1)[0].strip() == "home"), "")
    if home:
        prefix = os.path.realpath(str(Path(home).parent))
        visible = [*_SYSTEM_DIRS, *_python_roots()]
        if not any(prefix == d or prefix.startswith(d + "/") for d in visible):
            roots.append(prefix)
    return roots


def _bwrap_argv(workspace: Path, limits: Limits, venv: Path | None = None) -> list[str]:
    tmp_size = str(limits.tmp_mb * 1024 * 1024)
    argv = [
        "bwrap",
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--new-session",
        "--die-with-parent",
        "--cap-drop",
        "ALL",
        "--hostname",
        "sandbox",
    ]
    for d in _SYSTEM_DIRS:
        if os.path.islink(d):
            argv += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            argv += ["--ro-bind", d, d]
    for name in _ETC_ALLOWLIST:
        path = f"/etc/{name}"
        if os.path.lexists(path):
            argv += ["--ro-bind", path, path]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    argv += ["--size", tmp_size, "--tmpfs", "/tmp", "--size", tmp_size, "--tmpfs", HOME_DIR]
    argv += ["--size", tmp_size, "--tmpfs", "/dev/shm"]
    # After the tmpfs mounts: a checkout (and its venv) under /tmp must stay visible, not be hidden.
    for root in _python_roots():
        argv += ["--ro-bind", root, root]
    for root in _venv_roots(venv) if venv else ():
        argv += ["--ro-bind", root, root]
    argv += ["--bind", str(workspace), WORKDIR, "--chdir", WORKDIR, "--remount-ro", "/"]
    return argv


# ---------------------------------------------------------------------------------------------
# The sandbox


class Sandbox:
    """Runs commands with ``workspace`` as the only writable place. See the module docstring."""

    def __init__(
        self,
        workspace: Path,
        limits: Limits = Limits(),  # noqa: B008 - frozen dataclass, safe as a default
        backend: str = "bwrap",
        env: dict[str, str] | None = None,
        venv: Path | str | None = None,
    ) -> None:
        if backend not in _BACKENDS:
            raise ValueError(f"unknown sandbox backend {backend!r}; expected one of {', '.join(_BACKENDS)}")
        self.workspace = Path(workspace).resolve()
        if not self.workspace.is_dir():
            raise FileNotFoundError(f"workspace {self.workspace} is not a directory")
        self.limits = limits
        self.backend = backend
        self.extra_env = dict(env or {})
        # A task source's own environment (agentic_pipeline.tasks.environments): mounted read-only,
        # first on PATH, so `python` is its interpreter with the source's dependencies.
        self.venv = Path(venv) if venv else None
        if self.venv and not (self.venv / "bin" / "python").exists():
            raise FileNotFoundError(f"environment {self.venv} has no bin/python")
        if backend == "bwrap":
            check_bwrap()
            self._prefix = _bwrap_argv(self.workspace, limits, self.venv)
        else:
            if shutil.which("prlimit") is None:
                raise SandboxUnavailable(
                    "prlimit (util-linux) is not installed: `apt-get install util-linux`."
                )
            log.warning(
                "sandbox backend 'subprocess' gives NO isolation: commands can read and write anything "
                "this user can, and reach the network. Use it only where bwrap cannot run."
            )
            self._prefix = []

    @property
    def workdir(self) -> str:
        """The workspace's path as commands see it."""
        return WORKDIR if self.backend == "bwrap" else str(self.workspace)

    def env(self) -> dict[str, str]:
        home = HOME_DIR if self.backend == "bwrap" else str(self.workspace)
        env = base_env(self.workdir, home)
        if self.venv:
            env["PATH"] = f"{self.venv}/bin:{env['PATH']}"
            env["VIRTUAL_ENV"] = str(self.venv)
        return {**env, **self.extra_env}

    def argv(self, command: str | list[str], nproc_rlimit: bool = True) -> list[str]:
        """The full command line that runs ``command`` (useful to see exactly what is run)."""
        inner = ["bash", "-c", command] if isinstance(command, str) else list(command)
        if any("\0" in arg for arg in inner):
            raise ValueError("embedded null byte in the command")
        argv = [*self._prefix, "--", *_prlimit_argv(self.limits, nproc_rlimit), *inner]
        return argv if self._prefix else argv[1:]  # no "--" without bwrap in front

    def run(
        self, command: str | list[str], timeout: float | None = None, stdin: str | None = None
    ) -> ExecResult:
        """Run ``command`` (a string goes to ``bash -c``, a list is exec'd as is) and wait for it, at most
        ``timeout`` seconds (default ``limits.timeout_s``)."""
        timeout = self.limits.timeout_s if timeout is None else timeout
        start = time.monotonic()
        slot = _SLOTS.acquire()
        try:
            proc = self._start_in_slot(slot, command) if slot else self._start(command)
            return self._wait(proc, start, start + timeout, stdin)
        finally:
            _SLOTS.release(slot)

    def _start(self, command: str | list[str]) -> subprocess.Popen:
        """Without a cgroup: a plain child, its process count capped by RLIMIT_NPROC."""
        return subprocess.Popen(
            self.argv(command, nproc_rlimit=True),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=self.workspace,
            env=self.env(),
            process_group=0,  # one group to kill; the sandbox's own session is inside it
        )

    def _start_in_slot(self, slot: _Slot, command: str | list[str]) -> subprocess.Popen:
        """Hand the command to the shell armed in the slot's cgroup, capped by its pids.max."""
        proc = slot.take()
        # The shells armed for later commands sit in the same cgroup: they do not count against the cap.
        (slot.cgroup / "pids.max").write_text(str(self.limits.max_procs + len(slot.armed)))
        env = [f"{key}={value}" for key, value in self.env().items()]
        slot.script.write_text(
            f"cd {shlex.quote(str(self.workspace))} || exit 125\n"
            f"exec env -i {shlex.join(env)} {shlex.join(self.argv(command, nproc_rlimit=False))}\n"
        )
        for _ in range(2):  # a shell that died while armed is replaced once
            try:
                proc.stdin.write(f"{slot.script}\n".encode())
                proc.stdin.flush()
                return proc
            except BrokenPipeError:
                _discard(proc)
                proc = slot.arm()
        raise SandboxUnavailable(f"could not start a command in pids cgroup {slot.cgroup}")

    def _wait(self, proc: subprocess.Popen, start: float, deadline: float, stdin: str | None) -> ExecResult:
        if stdin is None:
            _feed_stdin(proc.stdin, b"")  # the command reads EOF at once, as from /dev/null
        else:
            threading.Thread(target=_feed_stdin, args=(proc.stdin, stdin.encode()), daemon=True).start()
        buf = _OutputBuffer(self.limits.max_output_bytes)
        fd = proc.stdout.fileno()
        status = _pump(fd, buf, deadline, proc)
        timed_out = status == "deadline"
        if status == "eof":
            # stdout is closed but the command may still run (it closed its stdout): wait for it.
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                timed_out = True
        if timed_out or status == "exited":
            self._kill(proc)
        if timed_out:
            _pump(fd, buf, time.monotonic() + _KILL_GRACE_S)
        proc.stdout.close()
        code = proc.wait()
        if timed_out:
            code = TIMEOUT_EXIT_CODE
        elif code < 0:  # bwrap itself died of a signal
            code = 128 - code
        return ExecResult(
            output=buf.text(),
            exit_code=code,
            timed_out=timed_out,
            truncated=buf.dropped > 0,
            duration_s=time.monotonic() - start,
        )

    def _kill(self, proc: subprocess.Popen) -> None:
        """Kill the outer bwrap's process group; the sandbox's pid 1 dies with it (--die-with-parent)
        and takes every process of the sandbox's pid namespace along. For the subprocess backend the
        group is all there is."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)

    async def arun(
        self, command: str | list[str], timeout: float | None = None, stdin: str | None = None
    ) -> ExecResult:
        """``run`` in a worker thread, so an asyncio runner can drive many sandboxes at once. The threads
        come from a pool of their own: asyncio's default one has only cpu_count + 4 threads."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(_executor(), functools.partial(self.run, command, timeout, stdin))


@functools.cache
def _executor() -> concurrent.futures.ThreadPoolExecutor:
    return concurrent.futures.ThreadPoolExecutor(max_workers=_ASYNC_THREADS, thread_name_prefix="sandbox")
