"""``--executor ray``: the generators' jobs run as Ray tasks on a cluster's nodes; the driver keeps the rest.

``RayExecutor`` is the executor of ``generate.pool.fill`` for a run on a Ray cluster (docs/distributed.md):

- **Work on the nodes.** A job's check (is the candidate a valid task?) and its work (the episode, the
  session, the grounded item) are Ray tasks, one CPU each, so a node runs as many at once as
  ``ray start --num-cpus`` gave it. Each node uses its own bubblewrap sandbox and its own task cache
  (``AGENTIC_CACHE_DIR`` or ``~/.cache``), like a machine running alone.
- **Everything durable in the driver.** The task hands its result (the record) back; the driver writes
  it (``Job.write``), books the episode in the cost ledger and keeps the resume state, exactly as a
  local run, so resuming after a crash of the driver or of any node is the local resume: no record
  lost, duplicated or torn, and no finished episode run (or paid) again.
- **One teacher for the cluster.** An LLM teacher's calls are not made on the nodes: the policy a node
  gets (``GatewayPolicy``) sends each call to a relay actor, ``Gateway``, on the driver's node; the driver
  takes them from there and makes them with the run's own policy, under the run's one rate limiter, in
  the run's one ledger, so ``--rpm``/``--concurrency`` and ``--max-cost-usd`` hold across the cluster.
  The oracle needs no model: it runs on the nodes.
- **A node that dies mid-job.** Ray reports the task's worker or node as dead; the job is sent again
  (to any node, up to ``RETRIES`` times) and counted once (``Counts.retried`` says how many were sent
  again). The model answers its first attempt already got are replayed to the new attempt from the
  driver's memory, by episode and request digest, so a request the dead attempt paid for is not paid
  again (a request still in flight is shared the same way).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import logging
import os
import socket
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import ray
from ray.exceptions import (
    LocalRayletDiedError,
    NodeDiedError,
    ObjectLostError,
    RaySystemError,
    RayTaskError,
    WorkerCrashedError,
)
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from agentic_pipeline import __version__
from agentic_pipeline.llm.client import current_episode, episode_scope
from agentic_pipeline.llm.secrets import redact
from agentic_pipeline.policies.base import Policy, PolicyResponse

log = logging.getLogger(__name__)

RETRIES = 3  # a job whose worker or node died is sent again up to this many times
# The task's worker process or its node died (not an exception of the job itself): send it again.
LOST = (WorkerCrashedError, NodeDiedError, ObjectLostError, LocalRayletDiedError, RaySystemError)
TAKE_WAIT_S = 0.5
PROBE_TIMEOUT_S = 120.0
CONNECT_TIMEOUT_S = 5.0


def _check_reachable(address: str | None) -> None:
    """A ``HOST:PORT`` nobody listens on: ValueError now (Ray itself would retry for minutes)."""
    host, _, port = (address or "").rpartition(":")
    if not host or not port.isdigit() or "://" in address:  # auto, local, ray://...: Ray's to resolve
        return
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        raise ValueError(
            f"--ray-address {address}: no Ray cluster answers there ({exc.strerror or exc}); start one with "
            "`ray start --head --port PORT` on that machine (docs/distributed.md)"
        ) from None


class RemotePolicyError(RuntimeError):
    """The driver's policy raised on a call a node made; the message is the driver's exception."""


def _work(key: str, fn: Callable[[], Awaitable[Any]]) -> Any:
    """On a node: run one job's check or work (an LLM policy's calls are booked to ``key``)."""
    with episode_scope(key):
        return asyncio.run(fn())


def _apply(fn: Callable[..., Any], item: Any, *shared: Any) -> Any:
    """On a node: one item of ``RayExecutor.imap``."""
    return fn(item, *shared)


def _missing(paths: list[str]) -> list[str]:
    """On a node: which of ``paths`` it does not have."""
    return [p for p in paths if not os.path.exists(p)]


def _probe(backend: str | None) -> tuple[str, str, str]:
    """On a node: (host, package version, what keeps it from running jobs or '')."""
    problem = ""
    if backend == "bwrap":
        from agentic_pipeline.sandbox import SandboxUnavailable, check_bwrap

        try:
            check_bwrap()
        except SandboxUnavailable as exc:
            problem = str(exc)
    return socket.gethostname(), __version__, problem


@ray.remote(num_cpus=0, max_concurrency=100_000)
class Gateway:
    """The relay between the nodes' ``GatewayPolicy`` and the driver, which makes every model call."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
        self.waiting: dict[int, asyncio.Future[tuple[bool, Any]]] = {}
        self.ids = itertools.count()

    async def ask(
        self, slot: int, key: str | None, messages: list[dict[str, Any]], tools: list[dict[str, Any]]
    ) -> tuple[bool, Any]:
        call = next(self.ids)
        future = asyncio.get_running_loop().create_future()
        self.waiting[call] = future
        self.queue.put_nowait((call, slot, key, messages, tools))
        try:
            return await future
        finally:
            self.waiting.pop(call, None)

    async def take(self, wait_s: float) -> list[tuple[Any, ...]]:
        """The calls waiting for the driver (after up to ``wait_s`` for the first one)."""
        try:
            first = await asyncio.wait_for(self.queue.get(), wait_s)
        except TimeoutError:
            return []
        calls = [first]
        while not self.queue.empty():
            calls.append(self.queue.get_nowait())
        return calls

    async def answer(self, call: int, payload: tuple[bool, Any]) -> None:
        future = self.waiting.get(call)
        if future is not None and not future.done():  # None: the node that asked died meanwhile
            future.set_result(payload)


class GatewayPolicy:
    """On a node, the run's LLM policy: each call goes to the driver, which makes it (limiter, ledger,
    budget) and sends the turn back. ``task`` is not sent: LLM policies don't read it."""

    def __init__(self, gateway: Any, slot: int, name: str) -> None:
        self.gateway, self.slot, self.name = gateway, slot, name

    async def act(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]], task: Any = None
    ) -> PolicyResponse:
        ok, value = await self.gateway.ask.remote(self.slot, current_episode.get(), messages, tools)
        if not ok:
            raise RemotePolicyError(value)
        return value


class RayExecutor:
    """Jobs as Ray tasks on the cluster at ``address`` (None: ``RAY_ADDRESS``, or a new local cluster)."""

    name = "ray"

    def __init__(self, address: str | None = None, *, backend: str | None = None) -> None:
        self._owns = not ray.is_initialized()
        if self._owns:
            _check_reachable(address)
            ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False)
        self._remote = ray.remote(num_cpus=1, max_retries=0)(_work)
        # imap's functions are pure (no model call, nothing written): Ray itself runs a lost one again.
        self._apply = ray.remote(num_cpus=1, max_retries=RETRIES)(_apply)
        here = ray.get_runtime_context().get_node_id()
        self.gateway = Gateway.options(
            scheduling_strategy=NodeAffinitySchedulingStrategy(here, soft=True)
        ).remote()
        self._slots: list[Policy] = []
        self._slot_of: dict[int, int] = {}
        self._replies: dict[str, dict[str, asyncio.Task[tuple[bool, Any]]]] = {}
        self.replayed = 0  # model answers a re-sent job got from its dead attempt, not paid again
        self.nodes = self._check_nodes(backend)

    # -- setup ---------------------------------------------------------------------------------

    def _check_nodes(self, backend: str | None) -> int:
        """Every alive node with CPUs must import this package at this version (and run bwrap when the
        run uses it); ValueError naming the first node that can't."""
        probe = ray.remote(num_cpus=0, max_retries=0)(_probe)
        nodes = [n for n in ray.nodes() if n.get("Alive") and n.get("Resources", {}).get("CPU", 0) > 0]
        if not nodes:
            raise ValueError("--executor ray: the cluster has no node with CPUs to run jobs on")
        refs = {
            n["NodeManagerAddress"]: probe.options(
                scheduling_strategy=NodeAffinitySchedulingStrategy(n["NodeID"], soft=False)
            ).remote(backend)
            for n in nodes
        }
        self._nodes = {n["NodeManagerAddress"]: n["NodeID"] for n in nodes}
        self._present: set[str] = set()
        for where, ref in refs.items():
            try:
                host, version, problem = ray.get(ref, timeout=PROBE_TIMEOUT_S)
            except Exception as exc:
                cause = exc.cause if isinstance(exc, RayTaskError) and exc.cause else exc
                raise ValueError(
                    f"Ray node {where} cannot run jobs: {type(cause).__name__}: {str(cause)[:300]} "
                    "(install agentic-pipeline[ray] there, the same version as here)"
                ) from None
            if version != __version__:
                raise ValueError(
                    f"Ray node {where} ({host}) has agentic-pipeline {version}, this driver {__version__}: "
                    "install the same version on every node"
                )
            if problem:
                raise ValueError(f"Ray node {where} ({host}): {problem}")
        return len(nodes)

    def require_paths(self, paths: Iterable[str | os.PathLike[str] | None]) -> None:
        """Every node must have these paths (the base folders tasks are copied from: a task names its
        base by path); ValueError naming the node and a missing one."""
        wanted = sorted({str(p) for p in paths if p} - self._present)
        if not wanted:
            return
        probe = ray.remote(num_cpus=0, max_retries=0)(_missing)
        listed = ray.put(wanted)
        refs = {
            where: probe.options(scheduling_strategy=NodeAffinitySchedulingStrategy(node, soft=False)).remote(
                listed
            )
            for where, node in self._nodes.items()
        }
        for where, ref in refs.items():
            missing = ray.get(ref, timeout=PROBE_TIMEOUT_S)
            if missing:
                raise ValueError(
                    f"Ray node {where} lacks {len(missing)} of the {len(wanted)} folders the tasks are copied "
                    f"from, e.g. {missing[0]}: a task names its base folder by path, so install the package and "
                    "Python at the same paths on every node, and keep mined or synthesized projects on a "
                    "filesystem every node mounts at the same path (docs/distributed.md)"
                )
        self._present.update(wanted)

    def __reduce__(self) -> Any:
        # A config that travels to a node with a job carries this executor: there, jobs run locally.
        from agentic_pipeline.generate.pool import LocalExecutor

        return LocalExecutor, ()

    def close(self) -> None:
        if self._owns and ray.is_initialized():
            ray.shutdown()

    def __enter__(self) -> RayExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what the pool asks --------------------------------------------------------------------

    def policy(self, teacher: Any, **overrides: Any) -> Policy:
        """The policy jobs' work uses on a node: the oracle itself, or a ``GatewayPolicy`` to the
        teacher's policy here."""
        real = teacher.policy(**overrides)
        if teacher.config.kind == "oracle":
            return real
        if id(real) not in self._slot_of:
            self._slot_of[id(real)] = len(self._slots)
            self._slots.append(real)
        return GatewayPolicy(self.gateway, self._slot_of[id(real)], real.name)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """While the pool runs: the driver serves the nodes' model calls."""
        server = asyncio.create_task(self._serve())
        try:
            yield
        finally:
            server.cancel()
            with suppress(asyncio.CancelledError):
                await server

    async def call(self, key: str, fn: Callable[[], Awaitable[Any]], counts: Any = None) -> Any:
        """Run ``fn`` on a node; its exception is raised here as itself. A lost worker or node: sent again."""
        try:
            for attempt in range(RETRIES + 1):
                try:
                    return await self._remote.remote(key, fn)
                except LOST as exc:
                    if attempt == RETRIES:
                        raise
                    log.warning("%s: its worker died (%s); running it again", key, type(exc).__name__)
                    if counts is not None:
                        counts.retried += 1
                except RayTaskError as exc:
                    raise (exc.cause or exc) from None
        finally:
            self._replies.pop(key, None)
        raise AssertionError("unreachable")

    def imap(
        self, fn: Callable[..., Any], items: Iterable[Any], shared: tuple[Any, ...] = ()
    ) -> Iterator[Any]:
        """``fn(item, *shared)`` for every item, on the nodes, yielded in the order of ``items`` (so what
        the caller writes is the same as with a local map). ``shared`` goes to the object store once;
        ``items`` is read lazily, a window of twice the cluster's CPUs ahead."""
        refs = [ray.put(value) for value in shared]
        window = max(2, 2 * int(ray.cluster_resources().get("CPU", 1)))
        source = iter(items)
        pending: deque[Any] = deque(
            self._apply.remote(fn, item, *refs) for item in itertools.islice(source, window)
        )
        while pending:
            try:
                result = ray.get(pending.popleft())
            except RayTaskError as exc:
                raise (exc.cause or exc) from None
            for item in itertools.islice(source, 1):
                pending.append(self._apply.remote(fn, item, *refs))
            yield result

    # -- the driver's side of the gateway ------------------------------------------------------

    async def _serve(self) -> None:
        handlers: set[asyncio.Task[None]] = set()
        try:
            while True:
                for call, slot, key, messages, tools in await self.gateway.take.remote(TAKE_WAIT_S):
                    handler = asyncio.create_task(self._answer(call, slot, key, messages, tools))
                    handlers.add(handler)
                    handler.add_done_callback(handlers.discard)
        except Exception:  # the nodes' model calls would wait forever: say why the relay stopped
            log.exception("the relay of the nodes' model calls to this process stopped")
            raise
        finally:
            for handler in handlers:
                handler.cancel()

    async def _answer(
        self,
        call: int,
        slot: int,
        key: str | None,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]],
    ) -> None:
        digest = hashlib.sha256(
            json.dumps([slot, messages, tools], sort_keys=True, default=str).encode()
        ).hexdigest()
        replies = self._replies.setdefault(key or "", {})
        if digest in replies:
            self.replayed += 1
        else:
            replies[digest] = asyncio.create_task(self._ask(slot, key, messages, tools))
        reply = replies[digest]
        payload = await reply
        if not payload[0] and replies.get(digest) is reply:
            del replies[digest]  # a failed call is made again when asked again
        await self.gateway.answer.remote(call, payload)

    async def _ask(
        self, slot: int, key: str | None, messages: list[dict[str, Any]], tools: list[dict[str, Any]]
    ) -> tuple[bool, Any]:
        try:
            if key is None:
                return True, await self._slots[slot].act(messages, tools, None)
            with episode_scope(key):
                return True, await self._slots[slot].act(messages, tools, None)
        except Exception as exc:  # the node's episode ends with this as its policy_error, as here
            return False, redact(f"{type(exc).__name__}: {exc}")[:2000]
