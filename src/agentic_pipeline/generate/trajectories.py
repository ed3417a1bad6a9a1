"""Run many agent episodes at once and write verified trajectories, resumably.

``generate(config)`` takes the candidate tasks of each category in a deterministic order (a hash of
``--seed`` and the task id), keeps the shard's share (``--shard i/N``: a task belongs to shard
``hash(id) % N``, so shards are disjoint whatever the seed), checks each candidate is a real task,
runs the episode with the policy, and appends the record. Only the tasks of ``config.split`` are drawn
(``--split``, default ``train``: the held-out eval sources never reach training data; a ``--tasks``
file is filtered the same way; ``agentic_pipeline.tasks.split``). The record goes to:

- verified -> ``DATA_DIR/trajectories/<category>_tasks.jsonl`` (the SFT file);
- not verified -> ``DATA_DIR/rejected/trajectories/<category>.jsonl`` with ``metadata.rejected_reason``.

Resume: each record is one ``os.write`` of a full line on an ``O_APPEND`` descriptor, followed by
``fsync``; on start a torn last line (a kill in the middle of a write) is cut back to the last
newline, the task ids already in either file are skipped (except rejections for a teacher failure,
``policy_error``, which get another episode), and the run continues until the kept
file holds ``count`` records. No more than ``count - kept`` episodes are ever in flight, so a run
never overshoots, and a kill -9 loses at most the episodes in flight.

Concurrency is asyncio: ``workers`` episodes at once; sandbox commands run in threads.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from agentic_pipeline.agent import RunConfig, run_episode
from agentic_pipeline.generate.pool import Counts, Done, Job, ProgressFn, RecordFiles, RunnerConfig, fill
from agentic_pipeline.jsonl import done_task_ids, settled_task_ids
from agentic_pipeline.layout import data_file, rejected_file
from agentic_pipeline.records import TRAJECTORY_CATEGORIES
from agentic_pipeline.tasks.base import Task
from agentic_pipeline.tasks.catalog import candidates
from agentic_pipeline.tasks.sources import all_sources
from agentic_pipeline.tasks.split import check_split, select, select_sources
from agentic_pipeline.tasks.validity import task_is_valid, usable_sources
from agentic_pipeline.teacher import Teacher, oracle_teacher

log = logging.getLogger(__name__)


@dataclass(kw_only=True)
class GenerateConfig(RunnerConfig):
    categories: list[str]
    run: RunConfig = field(default_factory=RunConfig)
    tasks: list[Task] | None = None  # from --tasks FILE; None: the built-in sources
    max_episodes: int | None = None  # per category, kept or rejected; None: until count or no task left


def parse_shard(text: str) -> tuple[int, int]:
    """``"i/N"`` -> (i, N) with 0 <= i < N."""
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise ValueError(f"--shard must look like i/N (e.g. 0/4), got {text!r}") from None
    if n < 1 or not 0 <= i < n:
        raise ValueError(f"--shard {text}: need 0 <= i < N")
    return i, n


def in_shard(task_id: str, shard: tuple[int, int]) -> bool:
    return int(hashlib.sha256(task_id.encode()).hexdigest()[:12], 16) % shard[1] == shard[0]


def order(tasks: list[Task], seed: int, shard: tuple[int, int] = (0, 1)) -> list[Task]:
    mine = [t for t in tasks if in_shard(t.id, shard)]
    return sorted(mine, key=lambda t: hashlib.sha256(f"{seed}\x00{t.id}".encode()).hexdigest())


def unfinished(record: Any) -> str:
    """Why a verified episode is still no training record: it stopped on a limit (steps, time, tokens)
    after a tool turn, so it never ends on the agent's own words; '' when it does."""
    if not record.outcome.verified:
        return ""
    last = record.messages[-1] if record.messages else None
    role = getattr(last, "role", None) if not isinstance(last, dict) else last.get("role")
    calls = getattr(last, "tool_calls", None) if not isinstance(last, dict) else last.get("tool_calls")
    if role == "assistant" and not calls:
        return ""
    return (
        f"verified, but the episode stopped ({record.outcome.exit_status}: {record.outcome.detail}) before "
        "the agent's final answer: a training record must end on the agent's own words"
    )


def split_count(count: int, categories: list[str]) -> dict[str, int]:
    """``--category all --count N``: N spread evenly over the categories (the first ones take the rest)."""
    base, extra = divmod(count, len(categories))
    return {c: base + (1 if i < extra else 0) for i, c in enumerate(categories)}


# ----------------------------------------------------------------------------- the run


async def _run_category(
    category: str,
    target: int,
    tasks: list[Task],
    config: GenerateConfig,
    teacher: Teacher,
    progress: ProgressFn | None,
) -> Counts:
    kept_path, rej_path = data_file(config.out, "trajectory", category), rejected_file(config.out, category)
    kept_ids = done_task_ids(kept_path)
    if len(set(kept_ids)) != len(kept_ids):
        raise ValueError(f"{kept_path} holds the same task twice; it was not written by this tool")
    done = settled_task_ids(kept_path, rej_path)
    counts = Counts(category, target, kept=len(kept_ids), skipped=sum(1 for t in tasks if t.id in done))
    if progress:
        progress(counts)
    if counts.reached():
        return counts
    config.executor.require_paths(t.base for t in tasks if t.id not in done)
    files, policy = RecordFiles(kept_path, rej_path), config.executor.policy(teacher)

    def write(record: Any) -> Done:
        return files.write(record, unfinished(record))

    jobs = (
        Job(
            t.id,
            partial(run_episode, t, policy, config.run),  # here, or on a node of a Ray cluster
            partial(task_is_valid, t, config.run.backend),
            write=write,  # always here
        )
        for t in tasks
        if t.id not in done
    )
    with files:
        return await fill(
            counts,
            jobs,
            workers=config.workers,
            teacher=teacher,
            progress=progress,
            executor=config.executor,
            max_attempts=config.max_episodes,
        )


async def generate(
    config: GenerateConfig, teacher: Teacher | None = None, progress: ProgressFn | None = None
) -> list[Counts]:
    """Up to ``config.count`` kept trajectories (split over the categories) from ``teacher`` (default:
    the oracle); returns each category's counts."""
    teacher = teacher or oracle_teacher(config.seed)
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(max_workers=max(8, config.workers * 2))
    )
    for c in config.categories:
        if c not in TRAJECTORY_CATEGORIES:
            raise ValueError(
                f"unknown category {c!r}; expected one of {', '.join(TRAJECTORY_CATEGORIES)} or all"
            )
    check_split(config.split)
    sources = (
        None
        if config.tasks is not None
        else await usable_sources(select_sources(all_sources(), config.split), config.run.backend)
    )
    results = []
    for category, target in split_count(config.count, config.categories).items():
        if config.tasks is not None:
            pool = [t for t in config.tasks if t.family == category]
        else:
            pool = candidates(category, sources)
        pool = select(pool, config.split)  # --tasks FILE, and the built-in devops groups
        results.append(
            await _run_category(
                category, target, order(pool, config.seed, config.shard), config, teacher, progress
            )
        )
    return results
