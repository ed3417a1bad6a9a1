"""Generate preference pairs with measured evidence: code_quality, efficiency, safety.

``generate(PrefConfig(...))`` writes ``DATA_DIR/preferences/<category>.jsonl`` (TRL conversational
``prompt``/``chosen``/``rejected`` with ``tools``) from three sources, in this order:

1. episodes already recorded by the trajectory runner on the same task (``from_trajectories``):
   verified vs failed (code_quality), fewer vs more tool calls among verified ones (efficiency);
2. with a teacher configured, best-of-N samples per catalogue problem, ordered by measurement;
3. the shipped catalogue (``prefs/catalog``): every claimed (better, worse) pair of variants,
   measured in the sandbox and judged (``judge``), rendered with many phrasings; for code_quality
   also derived pairs (``derive``: a shipped best variant with fewer vs more lint smells added).

Catalogue records go round-robin over phrasings: every kept pair gets its first phrasing before any
pair gets a second, so a small ``--count`` still covers as many distinct pairs as it can. Problems
are measured lazily, in a seeded order, the first time a round needs them.

Dropped pairs (tie, margin under threshold, measurements contradicting the label, a side failing
its tests) are written with their reason and evidence to ``DATA_DIR/rejected/preferences/<category>.jsonl``
and counted. Resume: like the trajectory runner, whole lines appended with fsync; record ids are
deterministic and ids already in the file are skipped, so re-running continues to the count.
"""

from __future__ import annotations

import asyncio
import logging
import random
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentic_pipeline.generate.prefs import from_trajectories
from agentic_pipeline.generate.prefs.catalog import (
    CATALOG_DIR,
    Candidate,
    Problem,
    load_catalog,
    problems_for,
)
from agentic_pipeline.generate.prefs.derive import derived_problem
from agentic_pipeline.generate.prefs.judge import DEFAULT_MIN_MARGIN, Verdict, judge
from agentic_pipeline.generate.prefs.measure import Measurer, tool_versions
from agentic_pipeline.generate.prefs.render import all_phrasings, pair_key, phrasing_order, render_pair
from agentic_pipeline.generate.prefs.teacher import SampleStore
from agentic_pipeline.generate.trajectories import split_count
from agentic_pipeline.jsonl import JsonlAppender, existing_ids
from agentic_pipeline.layout import data_file, rejected_file
from agentic_pipeline.llm.dryrun import EpisodeShape
from agentic_pipeline.records import PREFERENCE_CATEGORIES, PreferenceRecord, dump_record
from agentic_pipeline.sandbox import Limits, Sandbox
from agentic_pipeline.teacher import Teacher
from agentic_pipeline.tools import execute_tool

log = logging.getLogger(__name__)

ProgressFn = Callable[[str, "CategoryStats"], None]


@dataclass(kw_only=True)
class PrefConfig:
    count: int
    categories: list[str]
    out: Path = Path("data")
    min_margin: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_MIN_MARGIN))
    seed: int = 0
    workers: int = 2
    backend: str = "bwrap"
    samples: int = 4  # best-of-N samples per problem from an LLM teacher
    cache: Path | None = None
    catalog_root: Path = CATALOG_DIR
    problems: list[str] | None = None  # restrict to these problem names (tests, benchmarks)
    derived: bool = True  # code_quality: also the shipped best variants with lint smells added
    trajectories: bool = True
    executor: Any = None  # --executor ray: candidates measured on a Ray cluster's nodes (None: here)


# ``--dry-run``: one sample is one request: the task prompt and tools, ~600 tokens of code back.
SAMPLE_SHAPE = EpisodeShape(
    steps=1, first_prompt=1_800, last_prompt=1_800, output_per_step=600, shared_prefix=1_200
)


@dataclass
class CategoryStats:
    category: str
    target: int
    existing: int = 0
    written: int = 0
    candidate_pairs: int = 0
    kept_pairs: int = 0
    dropped: Counter = field(default_factory=Counter)
    margins: list[float] = field(default_factory=list)
    trajectory_pairs: int = 0
    teacher_pairs: int = 0
    derived_pairs: int = 0
    problems_measured: int = 0

    @property
    def done(self) -> int:
        return self.existing + self.written

    @property
    def shortfall(self) -> int:
        return max(0, self.target - self.done)


def default_cache() -> Path:
    return Path.home() / ".cache" / "agentic-pipeline" / "preference-measurements.jsonl"


# ----------------------------------------------------------------------------- catalogue pairs


@dataclass
class JudgedProblem:
    problem: Problem
    measurements: dict[str, dict[str, Any]]  # candidate digest -> measurement
    verdicts: list[Verdict]
    observations: dict[str, str]  # the starting workspace as the agent would see it
    thoughts: dict[str, str | None] = field(default_factory=dict)  # teacher candidates' own words


def workspace_observations(problem: Problem, backend: str) -> dict[str, str]:
    """Real outputs of `ls` and of reading the tests in the problem's starting workspace."""
    workspace = Path(tempfile.mkdtemp(prefix="agentic-prefs-ws-"))
    try:
        for name, text in problem.tests.items():
            (workspace / name).write_text(text)
        sandbox = Sandbox(workspace, Limits(timeout_s=30.0), backend=backend)
        return {
            "ls": execute_tool(sandbox, "bash", {"command": "ls"}).content,
            "read_tests": execute_tool(sandbox, "read_file", {"path": next(iter(problem.tests))}).content,
        }
    finally:
        shutil.rmtree(workspace, ignore_errors=True)


def judge_problem(
    problem: Problem,
    measurer: Measurer,
    threshold: float,
    pool: ThreadPoolExecutor,
    extra: list[tuple[Candidate, str | None]] | None = None,
    executor: Any = None,
) -> JudgedProblem:
    """Measure every candidate (in parallel: threads here, or a Ray ``executor``'s nodes) and judge
    every claimed pair, plus teacher samples."""
    extra = extra or []
    candidates = list(problem.candidates) + [c for c, _ in extra]
    measured = dict(
        zip(
            [c.digest for c in candidates],
            measurer.measure_all(problem, candidates, pool, executor),
            strict=True,
        )
    )
    verdicts = [judge(problem.category, a, b, measured[a.digest], measured[b.digest], threshold)
                for a, b in problem.claimed_pairs()]  # fmt: skip
    samples = [c for c, _ in extra]
    for i, a in enumerate(samples):
        for b in samples[i + 1 :]:
            verdicts.append(
                judge(
                    problem.category, a, b, measured[a.digest], measured[b.digest], threshold, claimed=False
                )
            )
    thoughts = {c.digest: t for c, t in extra}
    return JudgedProblem(
        problem, measured, verdicts, workspace_observations(problem, measurer.backend), thoughts
    )


def _records_for(jp: JudgedProblem, verdict: Verdict, phrasing_index: int, seed: int) -> PreferenceRecord:
    key = pair_key(jp.problem, verdict)
    ph = phrasing_order(key, seed)[phrasing_index]
    origin = verdict.chosen.origin
    return render_pair(
        jp.problem,
        verdict,
        (jp.measurements[verdict.chosen.digest], jp.measurements[verdict.rejected.digest]),
        ph,
        jp.observations,
        origin=origin,
        thoughts=(jp.thoughts.get(verdict.chosen.digest), jp.thoughts.get(verdict.rejected.digest)),
    )


class CatalogPairs:
    """Judged problems of one category, measured on first use, and the records they yield."""

    def __init__(
        self,
        config: PrefConfig,
        category: str,
        measurer: Measurer,
        pool: ThreadPoolExecutor,
        teacher: Teacher | None = None,
    ) -> None:
        shipped = problems_for(category, config.catalog_root)
        derived: list[Problem] = []
        if category == "code_quality" and config.derived:
            derived = [d for d in map(derived_problem, load_catalog(config.catalog_root)) if d is not None]
        if config.problems is not None:
            shipped = [p for p in shipped if p.name in config.problems]
            derived = [p for p in derived if p.name in config.problems]
        # hand-written pairs come first in round 0; derived ones follow
        random.Random(f"{config.seed}:{category}").shuffle(shipped)
        random.Random(f"{config.seed}:{category}:derived").shuffle(derived)
        self.problems = shipped + derived
        self.config, self.category, self.measurer, self.pool = config, category, measurer, pool
        self.judged: list[JudgedProblem] = []
        self.teacher, self.policy = teacher, None
        if teacher is not None and teacher.paid:
            self.policy = teacher.policy(temperature=1.0)  # best-of-N needs samples that differ
            store = (config.cache or default_cache()).with_suffix(".teacher-samples.jsonl")
            self.samples = SampleStore(store)

    def _judge(self, problem: Problem) -> JudgedProblem:
        extra: list[tuple[Candidate, str | None]] = []
        if self.policy is not None and not problem.claims:  # derived problems repeat a shipped task
            extra = self._sampled(problem)
        return judge_problem(
            problem,
            self.measurer,
            self.config.min_margin[self.category],
            self.pool,
            extra,
            self.config.executor,
        )

    def _sampled(self, problem: Problem) -> list[tuple[Candidate, str | None]]:
        """The teacher's samples for ``problem``: stored ones are free; new ones are one episode of the
        run's ledger, asked only while the budget allows (none once it is reached)."""
        assert self.teacher is not None and self.policy is not None
        n = self.config.samples
        key = self.samples.key(self.policy.name, problem, n)
        if key not in self.samples.samples and not self.teacher.allows_new():
            return []
        with self.teacher.episode(f"pref:{key[:24]}"):
            extra = asyncio.run(self.samples.get(self.policy, problem, n))
        self.teacher.episode_written(f"pref:{key[:24]}", problem.key, True)
        return extra

    def judged_problems(self) -> Iterator[JudgedProblem]:
        for i, problem in enumerate(self.problems):
            if i == len(self.judged):
                self.judged.append(self._judge(problem))
            yield self.judged[i]

    def records(self) -> Iterator[tuple[JudgedProblem, Verdict, PreferenceRecord | None]]:
        """Round 0 measures problem by problem and yields dropped verdicts too (record None);
        later rounds give each kept pair its next phrasing."""
        for jp in self.judged_problems():
            for verdict in jp.verdicts:
                yield jp, verdict, _records_for(jp, verdict, 0, self.config.seed) if verdict.kept else None
        kept = [(jp, v) for jp in self.judged for v in jp.verdicts if v.kept]
        random.Random(f"{self.config.seed}:{self.category}:pairs").shuffle(kept)
        for k in range(1, len(all_phrasings())):
            for jp, verdict in kept:
                yield jp, verdict, _records_for(jp, verdict, k, self.config.seed)


# ----------------------------------------------------------------------------- the run


def _trajectory_records(config: PrefConfig, category: str, stats: CategoryStats) -> list[PreferenceRecord]:
    if not config.trajectories:
        return []
    by_task, _ = from_trajectories.load_episodes(config.out)
    if category == "code_quality":
        return list(from_trajectories.outcome_pairs(by_task))
    if category == "efficiency":
        dropped: dict[str, int] = {}
        records = list(from_trajectories.step_pairs(by_task, config.min_margin[category], dropped))
        stats.dropped.update({f"trajectories: {k}": v for k, v in dropped.items()})
        return records
    return []


def _run_category(config: PrefConfig, category: str, target: int, measurer: Measurer,
                  pool: ThreadPoolExecutor, progress: ProgressFn | None, teacher: Teacher | None) -> CategoryStats:  # fmt: skip
    stats = CategoryStats(category, target)
    out_path = data_file(config.out, "preference", category)
    drop_path = rejected_file(config.out, category, kind="preference")
    done, done_drops = existing_ids(out_path), existing_ids(drop_path)
    stats.existing = len(done)
    if stats.done >= target:
        return stats
    writer, drops = JsonlAppender(out_path), None
    try:

        def emit(record: PreferenceRecord) -> bool:
            if record.id in done:
                return False
            writer.append(dump_record(record))
            done.add(record.id)
            stats.written += 1
            if progress:
                progress(category, stats)
            return stats.done >= target

        for record in _trajectory_records(config, category, stats):
            stats.trajectory_pairs += 1
            if emit(record):
                return stats
        catalog = CatalogPairs(config, category, measurer, pool, teacher)
        counted: set[str] = set()
        for jp, verdict, record in catalog.records():
            key = pair_key(jp.problem, verdict)
            if key not in counted:
                counted.add(key)
                stats.candidate_pairs += 1
                stats.problems_measured = len(catalog.judged)
                if verdict.margin is not None:
                    stats.margins.append(verdict.margin)
                if verdict.kept:
                    stats.kept_pairs += 1
                    stats.teacher_pairs += verdict.chosen.origin not in ("catalog", "derived")
                    stats.derived_pairs += verdict.chosen.origin == "derived"
                else:
                    stats.dropped[verdict.reason] += 1
                    drop_id = (
                        f"drop-{category}-{jp.problem.name}-{verdict.chosen.digest}-{verdict.rejected.digest}"
                    )
                    if drop_id not in done_drops:
                        drops = drops or JsonlAppender(drop_path)
                        drops.append({"id": drop_id, "category": category, "problem": jp.problem.key,
                                      "pair": key, "reason": verdict.reason, "margin": verdict.margin,
                                      "evidence": verdict.evidence})  # fmt: skip
                        done_drops.add(drop_id)
            if record is not None and emit(record):
                return stats
        return stats
    finally:
        writer.close()
        if drops is not None:
            drops.close()


def judge_all(config: PrefConfig, category: str) -> list[Verdict]:
    """Every candidate pair of the category's catalogue, judged (measuring whatever is not cached)."""
    measurer = Measurer(config.cache, backend=config.backend)
    with ThreadPoolExecutor(max_workers=max(1, config.workers)) as pool:
        catalog = CatalogPairs(config, category, measurer, pool)
        return [v for jp in catalog.judged_problems() for v in jp.verdicts]


def generate(
    config: PrefConfig, progress: ProgressFn | None = None, teacher: Teacher | None = None
) -> list[CategoryStats]:
    """Write up to ``config.count`` pairs (spread over the categories); returns per-category stats.
    With an LLM ``teacher``, its best-of-N samples join the measured candidates (within its budget)."""
    for category in config.categories:
        if category not in PREFERENCE_CATEGORIES:
            raise ValueError(
                f"unknown category {category!r}; expected one of {', '.join(PREFERENCE_CATEGORIES)}"
            )
    log.info("measuring with %s", tool_versions())
    measurer = Measurer(config.cache, backend=config.backend)
    targets = split_count(config.count, config.categories)
    with ThreadPoolExecutor(max_workers=max(1, config.workers)) as pool:
        return [
            _run_category(config, c, targets[c], measurer, pool, progress, teacher) for c in config.categories
        ]
