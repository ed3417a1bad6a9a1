"""Many episodes at once against a paid teacher: bounded concurrency, resume from the ledger, a budget.

``run_pool`` starts ``concurrency`` workers that take episodes from one iterator (so a million
episodes cost no memory up front). Before starting an episode a worker checks the ledger (a finished
episode is skipped: a re-run never pays for it again) and the ``CostGuard`` (once the running total
reaches ``--max-cost-usd`` no new episode starts; those in flight finish and are written, so the
stop is clean). Requests made inside an episode are booked to it (``episode_scope``).

``on_result(episode_id, result)`` must write the episode's record durably and return its id; only
then is the episode marked finished. An episode that raises stays ``started`` and runs again next time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from agentic_pipeline.llm.client import episode_scope
from agentic_pipeline.llm.ledger import Ledger
from agentic_pipeline.llm.secrets import redact

log = logging.getLogger(__name__)

EpisodeJob = tuple[str, Callable[[], Awaitable[Any]]]


class CostGuard:
    """``allows_new()`` is False once the ledger's running total reaches ``max_usd``."""

    def __init__(self, ledger: Ledger | None, max_usd: float | None) -> None:
        if max_usd is not None and ledger is None:
            raise ValueError("a dollar budget needs a ledger to count against")
        self.ledger, self.max_usd = ledger, max_usd
        self.stopped = False

    def allows_new(self) -> bool:
        if self.max_usd is not None and self.ledger is not None and self.ledger.total_usd() >= self.max_usd:
            self.stopped = True
        return not self.stopped


@dataclass
class PoolReport:
    finished: int = 0
    failed: int = 0
    skipped: int = 0
    budget_stopped: bool = False
    errors: dict[str, str] = field(default_factory=dict)


async def run_pool(
    jobs: Iterable[EpisodeJob],
    on_result: Callable[[str, Any], str],
    concurrency: int = 8,
    ledger: Ledger | None = None,
    guard: CostGuard | None = None,
    on_progress: Callable[[PoolReport], None] | None = None,
) -> PoolReport:
    """Run every job not already finished in ``ledger``, ``concurrency`` at a time."""
    report = PoolReport()
    source = iter(jobs)

    async def run_one(episode_id: str, factory: Callable[[], Awaitable[Any]]) -> None:
        if ledger is not None:
            ledger.start_episode(episode_id)
        try:
            with episode_scope(episode_id):
                result = await factory()
            record_id = on_result(episode_id, result)
        except Exception as exc:  # one failed episode never stops the run
            report.failed += 1
            report.errors[episode_id] = redact(f"{type(exc).__name__}: {exc}")[:500]
            log.warning("episode %s failed: %s", episode_id, report.errors[episode_id])
        else:
            if ledger is not None:
                ledger.finish_episode(episode_id, record_id)
            report.finished += 1
        if on_progress is not None:
            on_progress(report)

    async def worker() -> None:
        while True:
            if guard is not None and not guard.allows_new():
                report.budget_stopped = True
                return
            job = next(source, None)
            if job is None:
                return
            episode_id, factory = job
            if ledger is not None and ledger.is_done(episode_id):
                report.skipped += 1
                continue
            await run_one(episode_id, factory)

    await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
    return report
