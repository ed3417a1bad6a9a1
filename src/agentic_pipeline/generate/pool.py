"""Fill a data file to a target count with verified records, many jobs at once.

The one worker pool behind every generator that runs episodes (trajectories, sessions): jobs are
checked (is the task valid?), run, and their record appended to the kept file when verified, to the
rejected file otherwise, one whole line at a time. Never more than ``target`` records are kept: a
worker waits while the records in flight could reach it, because one of them may still fail and
need replacing. A paid teacher's budget stops new jobs; those in flight finish and are written.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from agentic_pipeline.agent import TaskSetupError
from agentic_pipeline.records import dump_record

log = logging.getLogger(__name__)


@dataclass
class Job:
    key: str  # the id a paid teacher's requests are booked to
    check: Callable[[], Awaitable[bool]]  # is the candidate a valid task (cached after its first check)
    run: Callable[[], Awaitable[Any]]  # -> a record with ``outcome.verified``


class PoolState(Protocol):
    target: int
    kept: int
    rejected: int
    invalid: int
    errors: int
    inflight: int
    new_kept: int
    attempts: int
    budget_stopped: bool


class Appender(Protocol):
    def append(self, obj: dict[str, Any]) -> None: ...


async def fill(
    state: PoolState,
    jobs: Iterator[Job],
    kept_out: Appender,
    rej_out: Appender,
    *,
    workers: int,
    teacher_run: Any = None,
    max_attempts: int | None = None,
    progress: Callable[[Any], None] | None = None,
) -> None:
    """Run ``jobs`` with ``workers`` at once until ``state.kept`` reaches ``state.target``."""
    changed = asyncio.Event()

    async def worker() -> None:
        while state.kept < state.target:
            if state.kept + state.inflight >= state.target:
                changed.clear()
                await changed.wait()  # an in-flight job may still fail and need replacing
                continue
            if teacher_run is not None and not teacher_run.allows_new():
                state.budget_stopped = True
                return
            job = next(jobs, None)
            if job is None or (max_attempts is not None and state.attempts >= max_attempts):
                return
            try:
                valid = await job.check()
            except Exception:  # a broken candidate must not stop a days-long run
                log.exception("checking %s failed", job.key)
                state.errors += 1
                continue
            if not valid:
                state.invalid += 1
                continue
            if state.kept + state.inflight >= state.target:
                continue
            state.attempts += 1
            state.inflight += 1
            try:
                record = await job.run()
            except TaskSetupError as exc:
                log.warning("%s", exc)
                state.invalid += 1
                continue
            except Exception:
                log.exception("%s failed outside the agent loop", job.key)
                state.errors += 1
                continue
            finally:
                state.inflight -= 1
                changed.set()
            _write(record, state, kept_out, rej_out)
            if teacher_run is not None:
                teacher_run.episode_written(job.key, record.id, record.outcome.verified)
            changed.set()
            if progress:
                progress(state)

    await asyncio.gather(*(worker() for _ in range(max(1, workers))))


def _write(record: Any, state: PoolState, kept_out: Appender, rej_out: Appender) -> None:
    obj = dump_record(record)
    if record.outcome.verified:  # never over target: at most target - kept were in flight
        kept_out.append(obj)
        state.kept += 1
        state.new_kept += 1
    else:
        reason = f"{record.outcome.exit_status}: {record.outcome.detail}"
        obj["metadata"].setdefault("rejected_reason", reason[:2000])  # a runner may have said it better
        rej_out.append(obj)
        state.rejected += 1
