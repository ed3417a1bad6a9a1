"""Run many agent episodes at once and write verified trajectories, resumably.

``generate(config)`` takes the candidate tasks of each category in a deterministic order (a hash of
``--seed`` and the task id), keeps the shard's share (``--shard i/N``: a task belongs to shard
``hash(id) % N``, so shards are disjoint whatever the seed), checks each candidate is a real task,
runs the episode with the policy, and appends the record:

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
import json
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from agentic_pipeline.agent import RunConfig, run_episode
from agentic_pipeline.generate.pool import Job, fill
from agentic_pipeline.layout import data_file
from agentic_pipeline.policies import make_policy
from agentic_pipeline.records import TRAJECTORY_CATEGORIES
from agentic_pipeline.tasks.base import Task
from agentic_pipeline.tasks.catalog import candidates
from agentic_pipeline.tasks.sources import CodeSource, all_sources
from agentic_pipeline.tasks.validity import source_passes, task_is_valid

log = logging.getLogger(__name__)


@dataclass
class GenerateConfig:
    count: int
    categories: list[str]
    out: Path = Path("data")
    workers: int = 2
    seed: int = 0
    shard: tuple[int, int] = (0, 1)
    run: RunConfig = field(default_factory=RunConfig)
    tasks: list[Task] | None = None  # from --tasks FILE; None: the built-in sources
    # Paid teachers (agentic_pipeline.llm.runtime.TeacherRun): the dollar budget and the cost ledger.
    teacher_run: Any = None


@dataclass
class CategoryState:
    category: str
    target: int
    kept: int = 0
    rejected: int = 0
    invalid: int = 0
    errors: int = 0  # candidates or episodes that crashed (logged with their task id)
    skipped: int = 0
    inflight: int = 0
    new_kept: int = 0
    attempts: int = 0
    exhausted: bool = False
    budget_stopped: bool = False  # --max-cost-usd reached: no new episode was started
    started: float = field(default_factory=time.monotonic)

    @property
    def shortfall(self) -> int:
        return max(0, self.target - self.kept) if self.exhausted and not self.budget_stopped else 0


ProgressFn = Callable[[CategoryState], None]


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


def split_count(count: int, categories: list[str]) -> dict[str, int]:
    """``--category all --count N``: N spread evenly over the categories (the first ones take the rest)."""
    base, extra = divmod(count, len(categories))
    return {c: base + (1 if i < extra else 0) for i, c in enumerate(categories)}


# ----------------------------------------------------------------------------- the JSONL files


class JsonlAppender:
    """Appends whole lines durably; repairs a torn tail left by a killed writer before the first append."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        trim_torn_tail(path)
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def append(self, obj: dict[str, Any]) -> None:
        data = (json.dumps(obj, ensure_ascii=False) + "\n").encode()
        written = os.write(self.fd, data)
        while written < len(data):  # a short write on a regular file is rare but legal
            written += os.write(self.fd, data[written:])
        os.fsync(self.fd)

    def close(self) -> None:
        os.close(self.fd)


def trim_torn_tail(path: Path) -> None:
    """Cut ``path`` back to its last newline (a line without one was torn by a kill)."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with open(path, "rb+") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        pos = size
        while pos > 0:
            step = min(65536, pos)
            fh.seek(pos - step)
            chunk = fh.read(step)
            nl = chunk.rfind(b"\n")
            if nl >= 0:
                end = pos - step + nl + 1
                break
            pos -= step
        else:
            end = 0
        if end != size:
            log.warning("%s: cut a torn last line (%d bytes) left by an interrupted run", path, size - end)
            fh.truncate(end)
            fh.flush()
            os.fsync(fh.fileno())


# Rejections that say nothing about the task: the teacher failed (an API error that outlived its
# retries, a server that went away). A resumed run gives those tasks another episode.
RETRIED_STATUSES = frozenset({"policy_error"})


def done_task_ids(path: Path, retry: frozenset[str] = frozenset()) -> list[str]:
    """Task ids of the records in ``path`` (whole lines only), leaving out the records whose
    ``outcome.exit_status`` is in ``retry``."""
    if not path.exists():
        return []
    ids = []
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, start=1):
            if not raw.endswith(b"\n"):
                break  # torn tail: trimmed before the first append
            try:
                row = json.loads(raw)
                task_id = row["metadata"]["task_id"]
            except (json.JSONDecodeError, KeyError, TypeError):
                raise ValueError(f"{path}:{n}: not a trajectory record with metadata.task_id") from None
            if retry and ((row.get("outcome") or {}).get("exit_status") in retry):
                continue
            ids.append(task_id)
    return ids


def settled_task_ids(kept_path: Path, rejected_path: Path) -> set[str]:
    """Tasks a resumed run skips: every kept one, and every rejected one whose rejection was the
    task's own (not the teacher's failure)."""
    settled = set(done_task_ids(kept_path)) | set(done_task_ids(rejected_path, RETRIED_STATUSES))
    retried = set(done_task_ids(rejected_path)) - settled
    if retried:
        log.info("%s: %d task(s) whose teacher failed get another episode", rejected_path, len(retried))
    return settled


def rejected_file(data_dir: Path, category: str) -> Path:
    return Path(data_dir) / "rejected" / "trajectories" / f"{category}.jsonl"


# ----------------------------------------------------------------------------- the run


async def _usable_sources(backend: str) -> list[CodeSource]:
    out = []
    for src in all_sources():
        if await source_passes(src, backend):
            out.append(src)
        else:
            log.warning("skipping %s: its own tests fail on the pristine code", src.name)
    return out


async def _run_category(
    category: str,
    target: int,
    tasks: list[Task],
    config: GenerateConfig,
    policy: Any,
    progress: ProgressFn | None,
) -> CategoryState:
    kept_path, rej_path = data_file(config.out, "trajectory", category), rejected_file(config.out, category)
    kept_ids = done_task_ids(kept_path)
    if len(set(kept_ids)) != len(kept_ids):
        raise ValueError(f"{kept_path} holds the same task twice; it was not written by this tool")
    done = settled_task_ids(kept_path, rej_path)
    state = CategoryState(category, target, kept=len(kept_ids))
    if state.kept >= target:
        if progress:
            progress(state)
        return state
    kept_out, rej_out = JsonlAppender(kept_path), JsonlAppender(rej_path)
    state.skipped = sum(1 for t in tasks if t.id in done)
    jobs = (
        Job(t.id, partial(task_is_valid, t, config.run.backend), partial(run_episode, t, policy, config.run))
        for t in tasks
        if t.id not in done
    )
    try:
        await fill(
            state,
            jobs,
            kept_out,
            rej_out,
            workers=config.workers,
            teacher_run=config.teacher_run,
            progress=progress,
        )
    finally:
        kept_out.close()
        rej_out.close()
    state.exhausted = state.kept < target
    if progress:
        progress(state)
    return state


async def generate(config: GenerateConfig, progress: ProgressFn | None = None) -> list[CategoryState]:
    """Generate up to ``config.count`` kept trajectories (split over categories); returns each category's state."""
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=max(8, config.workers * 2)))
    opts = {k: v for k, v in config.run.options.items() if k != "base_url"}
    if config.run.teacher == "oracle":
        opts = {"seed": config.run.seed}
    policy = make_policy(config.run.teacher, config.run.options.get("base_url"), **opts)
    for c in config.categories:
        if c not in TRAJECTORY_CATEGORIES:
            raise ValueError(
                f"unknown category {c!r}; expected one of {', '.join(TRAJECTORY_CATEGORIES)} or all"
            )
    sources = None if config.tasks is not None else await _usable_sources(config.run.backend)
    states = []
    for category, target in split_count(config.count, config.categories).items():
        pool = (
            [t for t in config.tasks if t.family == category]
            if config.tasks is not None
            else candidates(category, sources)
        )
        states.append(
            await _run_category(
                category, target, order(pool, config.seed, config.shard), config, policy, progress
            )
        )
    return states
