"""A real two-node Ray cluster on 127.0.0.1 for tests and benchmarks: a head and one more node, each with
its own CPUs, its own task cache (``AGENTIC_CACHE_DIR``) and the package on its ``PYTHONPATH``.

Both run ``ray start --block`` in a process group of their own, so tearing down ends exactly the
processes started here (SIGTERM to ``ray start``, which stops its node; then the group is killed),
never another Ray on the machine. The dashboard is off and the object store small (100 MB).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RAY = str(Path(sys.executable).with_name("ray"))
SRC = str(Path(__file__).resolve().parents[1] / "src")
OBJECT_STORE_BYTES = 100 * 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _title(pid: int | str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
    except OSError:
        return ""


def _parent(pid: int | str) -> str:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return ""
    return next((line.split()[1] for line in status.splitlines() if line.startswith("PPid:")), "")


def ray_processes(title: str = "ray::_work") -> list[int]:
    """Pids of the Ray workers running a job now (Ray sets a worker's title to ``ray::<function>``);
    not a child the worker forked that has not exec'd its command yet (it shows the same title)."""
    return [
        int(p.name)
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and _title(p.name) == title and _title(_parent(p.name)) != title
    ]


class LocalCluster:
    """``with LocalCluster(cpus=(1, 1)) as cluster: ... cluster.address``."""

    def __init__(
        self, cpus: tuple[int, ...] = (1, 1), root: Path | None = None, shared_cache: Path | None = None
    ) -> None:
        self.cpus, self.shared_cache = cpus, shared_cache  # shared_cache: one task cache for all nodes
        self._made_root = root is None  # a folder made here is removed at the end
        self.root = Path(tempfile.mkdtemp(prefix="rayt", dir="/tmp")) if root is None else root
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.procs: list[subprocess.Popen[bytes]] = []

    def env(self, node: int) -> dict[str, str]:
        cache = self.shared_cache or self.root / f"cache-node{node}"
        return {
            **os.environ,
            "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
            "AGENTIC_CACHE_DIR": str(cache),  # each node its own task cache
            "RAY_USAGE_STATS_ENABLED": "0",
        }

    def _start(self, node: int, args: list[str]) -> None:
        ports = [
            "--node-manager-port", str(free_port()), "--object-manager-port", str(free_port()),
            "--dashboard-agent-listen-port", str(free_port()), "--dashboard-agent-grpc-port", str(free_port()),
            "--runtime-env-agent-port", str(free_port()), "--metrics-export-port", str(free_port()),
        ]  # fmt: skip
        log = open(self.root / f"node{node}.log", "wb")  # noqa: SIM115 (closed with the process)
        self.procs.append(
            subprocess.Popen(
                [
                    RAY,
                    "start",
                    "--block",
                    "--num-cpus",
                    str(self.cpus[node]),
                    "--node-ip-address",
                    "127.0.0.1",
                    "--object-store-memory",
                    str(OBJECT_STORE_BYTES),
                    "--disable-usage-stats",
                    *ports,
                    *args,
                ],
                env=self.env(node),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        )

    def __enter__(self) -> LocalCluster:
        self._start(
            0,
            ["--head", "--port", str(self.port), "--include-dashboard=false",
             "--ray-client-server-port", str(free_port()), "--temp-dir", str(self.root / "tmp")],
        )  # fmt: skip
        self._wait(1)
        for node in range(1, len(self.cpus)):
            self._start(node, ["--address", self.address])
        self._wait(len(self.cpus))
        return self

    def _wait(self, nodes: int, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.procs):
                raise RuntimeError(f"ray start exited: {self.logs()}")
            status = subprocess.run(
                [RAY, "status", "--address", self.address], capture_output=True, text=True, env=self.env(0)
            )
            if status.returncode == 0 and len(re.findall(r"^\s*1 node_", status.stdout, re.M)) >= nodes:
                return
            time.sleep(0.5)
        raise TimeoutError(f"the Ray cluster did not come up with {nodes} nodes: {self.logs()}")

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-2000:] for p in sorted(self.root.glob("node*.log")))

    def __exit__(self, *exc: object) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)  # ray start --block stops the node's processes
        for proc in reversed(self.procs):
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=20)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # whatever of this node's group is left
        if self._made_root:
            shutil.rmtree(self.root, ignore_errors=True)  # logs, sockets, the nodes' task caches
