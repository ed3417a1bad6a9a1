"""The one worker pool behind every generator: many jobs at once until enough are kept.

Trajectories, sessions, reasoning, task synthesis and ``convert --expand`` all run here. A job is
checked (is its task valid? cached after the first check), then run; the job writes its record
durably itself (kept or rejected, one whole line) and returns ``Done``. The pool counts in one
``Counts`` type and, for a paid teacher, books every request of the job to its key
(``Teacher.episode``) and marks the episode finished once its record is written.

- **Never over target.** A worker waits while the jobs in flight could reach ``target``: one of
  them may still be rejected and need replacing (``target=None``: run every job).
- **The budget holds.** Before each job the teacher is asked ``allows_new()``; once
  ``--max-cost-usd`` is reached no job starts, those in flight finish and are written.
- **A broken job never stops a days-long run.** An exception is logged with the job's key and
  counted in ``errors`` (the job is not marked finished, so a resumed run tries it again);
  ``max_consecutive_errors`` ends the run (``aborted``) when the teacher is plainly down.

Where a job runs is the run's **executor** (``RunnerConfig.executor``, ``--executor local|ray``). A
job that splits its work from its writing (``Job.write``) can run anywhere: ``LocalExecutor`` awaits it
here; ``generate.distributed.RayExecutor`` runs the check and the work as Ray tasks on a cluster's
nodes and hands the result back, and ``write`` runs here, in the driver, which alone owns the output
files, the resume state and the cost ledger. Policies come from ``executor.policy(teacher)``: the
teacher's own here; on Ray, one whose model calls are sent back to the driver and made there (one
rate limiter, one ledger, one budget for the whole cluster).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentic_pipeline.agent import TaskSetupError
from agentic_pipeline.jsonl import JsonlAppender, trim_torn_tail
from agentic_pipeline.llm.secrets import redact
from agentic_pipeline.policies.base import Policy
from agentic_pipeline.records import dump_record
from agentic_pipeline.teacher import Teacher

log = logging.getLogger(__name__)

EXECUTORS = ("local", "ray")


class LocalExecutor:
    """Jobs run here, in this process's event loop (the default)."""

    name = "local"

    def policy(self, teacher: Teacher, **overrides: Any) -> Policy:
        """The policy a job's work uses: the teacher's own."""
        return teacher.policy(**overrides)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        yield

    async def call(self, key: str, fn: Callable[[], Awaitable[Any]], counts: Counts | None = None) -> Any:
        return await fn()

    def require_paths(self, paths: Iterable[Any]) -> None:
        """What the jobs read by path is here (the tasks' base folders)."""

    def imap(self, fn: Callable[..., Any], items: Iterable[Any], shared: tuple[Any, ...] = ()) -> Any:
        return (fn(item, *shared) for item in items)

    def close(self) -> None:
        pass


def make_executor(name: str = "local", address: str | None = None, backend: str | None = None) -> Any:
    """``--executor``: ``local`` or ``ray`` (connected to the cluster at ``address``; without one, to the
    cluster ``RAY_ADDRESS`` names or a new one on this machine). ``backend``: each node's sandbox is
    checked before any job is sent (ValueError naming the node that can't run jobs)."""
    if name == "local":
        return LocalExecutor()
    if name != "ray":
        raise ValueError(f"--executor {name!r}: expected one of {', '.join(EXECUTORS)}")
    if address is not None and not address.strip():
        raise ValueError("--ray-address is empty")
    try:
        from agentic_pipeline.generate.distributed import RayExecutor
    except ImportError as exc:
        raise ValueError(
            f"--executor ray needs Ray ({exc}): pip install 'agentic-pipeline[ray]' on every node"
        ) from None
    return RayExecutor(address, backend=backend)


@dataclass(kw_only=True)
class RunnerConfig:
    """What every runner takes: records wanted, the data directory, jobs at once, the seed, the shard,
    and the held-out split its tasks come from."""

    count: int
    out: Path = Path("data")
    workers: int = 2
    seed: int = 0
    shard: tuple[int, int] = (0, 1)  # (i, N): this machine's share of the work (``--shard i/N``)
    split: str = "train"  # ``--split``: train (default), eval or all; see agentic_pipeline.tasks.split
    executor: Any = field(default_factory=LocalExecutor)  # where jobs run (``--executor``)


@dataclass
class Counts:
    """What a run did, for one output (a category, the sessions, the synthesized projects)."""

    name: str
    target: int | None  # kept records wanted, earlier runs' included; None: every job
    kept: int = 0  # in the output, earlier runs' included
    new_kept: int = 0
    rejected: int = 0
    invalid: int = 0  # candidates that turned out not to be valid tasks
    errors: int = 0  # jobs that raised (logged with their key)
    skipped: int = 0  # settled by an earlier run
    inflight: int = 0
    attempts: int = 0  # jobs started
    exhausted: bool = False  # the jobs ran out before the target
    budget_stopped: bool = False  # --max-cost-usd reached: no new job was started
    aborted: bool = False  # max_consecutive_errors in a row
    last_error: str = ""
    retried: int = 0  # jobs run again after the worker running them died (counted once)
    started: float = field(default_factory=time.monotonic)

    @property
    def shortfall(self) -> int:
        if self.target is None or not self.exhausted or self.budget_stopped:
            return 0
        return max(0, self.target - self.kept)

    def rate_per_minute(self) -> float:
        return self.new_kept / max(1e-6, (time.monotonic() - self.started) / 60)

    def reached(self) -> bool:
        return self.target is not None and self.kept >= self.target


@dataclass(frozen=True)
class Done:
    """A finished job: the id of the record it wrote, and whether that record was kept."""

    record_id: str
    kept: bool


@dataclass
class Job:
    """One unit of work. Without ``write``, ``run`` writes the record itself and returns ``Done`` (None:
    not a valid task after all); it always runs here. With ``write``, ``run`` only produces the result
    (module-level functions and their ``partial``s: on Ray it is pickled and run on another node, and
    so is ``check``) and ``write(result)`` writes it here, returning ``Done`` or None."""

    key: str  # the episode id a paid teacher's requests are booked to
    run: Callable[[], Awaitable[Any]]
    check: Callable[[], Awaitable[bool]] | None = None  # is the candidate a valid task
    write: Callable[[Any], Done | None] | None = None


ProgressFn = Callable[[Counts], None]


async def fill(
    counts: Counts,
    jobs: Iterable[Job],
    *,
    workers: int,
    teacher: Teacher | None = None,
    max_attempts: int | None = None,
    max_consecutive_errors: int | None = None,
    progress: ProgressFn | None = None,
    executor: Any = None,
) -> Counts:
    """Run ``jobs``, ``workers`` at once, until ``counts.kept`` reaches ``counts.target``; jobs with a
    ``write`` run on ``executor`` (default: here)."""
    executor = executor or LocalExecutor()
    async with executor.running():
        return await _fill(
            counts, jobs, workers, teacher, max_attempts, max_consecutive_errors, progress, executor
        )


async def _fill(
    counts: Counts,
    jobs: Iterable[Job],
    workers: int,
    teacher: Teacher | None,
    max_attempts: int | None,
    max_consecutive_errors: int | None,
    progress: ProgressFn | None,
    executor: Any,
) -> Counts:
    source = iter(jobs)
    changed = asyncio.Event()
    consecutive = 0

    def full() -> bool:
        return counts.target is not None and counts.kept + counts.inflight >= counts.target

    async def worker() -> None:
        nonlocal consecutive
        while not counts.reached() and not counts.aborted:
            if full():
                changed.clear()
                await changed.wait()  # a job in flight may still be rejected and need replacing
                continue
            if teacher is not None and not teacher.allows_new():
                counts.budget_stopped = True
                return
            if max_attempts is not None and counts.attempts >= max_attempts:
                return
            job = next(source, None)
            if job is None:
                return
            try:
                if job.check is None:
                    valid = True
                elif job.write is None:
                    valid = await job.check()
                else:
                    valid = await executor.call(job.key, job.check, counts)
            except Exception:  # a broken candidate must not stop the run
                log.exception("checking %s failed", job.key)
                counts.errors += 1
                continue
            if not valid:
                counts.invalid += 1
                continue
            if full():
                continue
            counts.attempts += 1
            counts.inflight += 1
            try:
                if teacher is None:
                    done = await _run(job, executor, counts)
                else:
                    with teacher.episode(job.key):
                        done = await _run(job, executor, counts)
            except TaskSetupError as exc:
                log.warning("%s", exc)
                counts.invalid += 1
                continue
            except Exception as exc:
                counts.errors += 1
                counts.last_error = redact(f"{type(exc).__name__}: {exc}")[:500]
                log.warning(
                    "%s failed: %s", job.key, counts.last_error, exc_info=log.isEnabledFor(logging.INFO)
                )
                consecutive += 1
                if max_consecutive_errors is not None and consecutive >= max_consecutive_errors:
                    counts.aborted = True
                continue
            finally:
                counts.inflight -= 1
                changed.set()
            consecutive = 0
            if done is None:
                counts.invalid += 1
            else:
                _count(counts, done)
                if teacher is not None:
                    teacher.episode_written(job.key, done.record_id, done.kept)
            if progress:
                progress(counts)
        changed.set()  # wake the waiting workers: the run is over or this worker ran dry

    await asyncio.gather(*(worker() for _ in range(max(1, workers))))
    counts.exhausted = counts.target is not None and counts.kept < counts.target and not counts.aborted
    if progress:
        progress(counts)
    return counts


async def _run(job: Job, executor: Any, counts: Counts) -> Done | None:
    if job.write is None:
        return await job.run()
    result = await executor.call(job.key, job.run, counts)
    return job.write(result)


def _count(counts: Counts, done: Done) -> None:
    if done.kept:
        counts.kept += 1
        counts.new_kept += 1
    else:
        counts.rejected += 1


class RecordFiles:
    """The kept file and the rejected file of one output; each record is one durable whole line."""

    def __init__(self, kept: Path, rejected: Path) -> None:
        self.kept_path, self.rejected_path = kept, rejected
        for path in (kept, rejected):
            trim_torn_tail(path)  # a line torn by a killed run, even if nothing new is written
        self._out: dict[Path, JsonlAppender] = {}

    def write(self, record: Any, reason: str = "", **metadata: Any) -> Done:
        """Append ``record``: kept when its outcome is verified and there is no ``reason`` to reject it.
        A rejected record says why in ``metadata.rejected_reason``; ``metadata`` adds fields to both."""
        obj = dump_record(record)
        obj["metadata"].update(metadata)
        outcome = getattr(record, "outcome", None)
        kept = not reason and (outcome is None or outcome.verified)
        if not kept:
            why = reason or f"{outcome.exit_status}: {outcome.detail}"
            obj["metadata"].setdefault("rejected_reason", why[:2000])  # a runner may have said it better
        path = self.kept_path if kept else self.rejected_path
        if path not in self._out:
            self._out[path] = JsonlAppender(path)
        self._out[path].append(obj)
        return Done(record.id, kept)

    def close(self) -> None:
        for out in self._out.values():
            out.close()
        self._out.clear()

    def __enter__(self) -> RecordFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
