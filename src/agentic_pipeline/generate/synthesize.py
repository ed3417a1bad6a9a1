"""The run of ``agentic tasks synthesize``: a teacher writes projects, the sandbox decides, tasks come out.

Each topic index is one job of the generators' worker pool (``generate.pool.fill``): ask the teacher
(``tasks.synthesize.USER_PROMPT``), check the reply (``tasks.synthesize.check_project``, the tests
twice in the sandbox), send a failed reply back once with the error, then log the decision in the
run folder's ``projects.jsonl`` and append the project's valid tasks to ``--out``. A project that was
accepted counts as kept; a rejected one as rejected; a request that failed leaves its topic
undecided (tried again on resume), and three failures in a row end the run.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from agentic_pipeline.generate.pool import Counts, Done, Job, ProgressFn, fill
from agentic_pipeline.jsonl import JsonlAppender, lenient_rows, trim_torn_tail
from agentic_pipeline.llm.dryrun import EpisodeShape
from agentic_pipeline.policies.base import Policy
from agentic_pipeline.tasks.base import Task
from agentic_pipeline.tasks.catalog import load_task_file
from agentic_pipeline.tasks.synthesize import (
    FEEDBACK_PROMPT,
    SYNTH_FAMILIES,
    SYSTEM_PROMPT,
    USER_PROMPT,
    Acceptance,
    Project,
    Rejected,
    Topic,
    check_project,
    check_tests,
    derive_tasks,
    parse_files,
    project_source,
    store_project,
    teacher_needed_message,
    topic,
)
from agentic_pipeline.teacher import Teacher

log = logging.getLogger(__name__)

MAX_CONSECUTIVE_ERRORS = 3
# ``--dry-run``: one ~1.2K-token request and a ~6K-token project per attempt, ~1.5 attempts a topic.
SYNTH_SHAPE = EpisodeShape(
    steps=2, first_prompt=1_200, last_prompt=8_000, output_per_step=6_000, shared_prefix=600
)


@dataclass(kw_only=True)
class SynthConfig:
    count: int  # accepted projects wanted in the output (including earlier runs')
    out: Path
    families: tuple[str, ...] = SYNTH_FAMILIES
    seed: int = 0
    workers: int = 2
    per_family: int = 10  # valid tasks kept per family per project
    retries: int = 1  # replies sent back with the error before a topic is dropped
    max_topics: int | None = None  # topic indexes tried in this run (default 3 x count + 5)
    limits: Acceptance = field(default_factory=Acceptance)
    test_timeout_s: float = 60.0
    max_tokens: int = 12_000
    backend: str = "bwrap"


@dataclass
class SynthCounts(Counts):
    """Projects accepted (kept) and rejected, and what they gave."""

    tasks: dict[str, int] = field(default_factory=dict)  # family -> tasks written
    reasons: dict[str, int] = field(default_factory=dict)  # rejection stage -> count (this run)


def state_dir(out: Path) -> Path:
    """The run folder next to the task file: ``projects.jsonl``, the ledger, rejected replies."""
    out = Path(out)
    return out.parent / f"{out.stem}.synth"


class ProjectLog:
    """``projects.jsonl``: one line per decided topic (accepted / rejected) and one per written task set."""

    def __init__(self, path: Path) -> None:
        self.path = path
        trim_torn_tail(path)
        self.rows: list[dict[str, Any]] = list(lenient_rows(path))
        self._out: JsonlAppender | None = None

    def decided(self, seed: int) -> set[int]:
        return {
            r["index"] for r in self.rows if r.get("seed") == seed and r["status"] in ("accepted", "rejected")
        }

    def accepted(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["status"] == "accepted"]

    def written(self) -> set[str]:
        return {r["source"] for r in self.rows if r["status"] == "tasks"}

    def append(self, row: dict[str, Any]) -> None:
        if self._out is None:
            self._out = JsonlAppender(self.path)
        self._out.append(row)
        self.rows.append(row)

    def close(self) -> None:
        if self._out is not None:
            self._out.close()


class _Run:
    def __init__(self, config: SynthConfig, teacher: Teacher) -> None:
        self.config, self.teacher = config, teacher
        self.dir = state_dir(config.out)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.log = ProjectLog(self.dir / "projects.jsonl")
        trim_torn_tail(config.out)
        # A line that is not a task (another file given as --out) stops the run with file:line.
        self.task_ids = {t.id for t in load_task_file(config.out)} if config.out.exists() else set()
        self.tasks_out = JsonlAppender(config.out)
        self.counts = SynthCounts("projects", config.count, kept=len(self.log.accepted()))
        for row in self.log.rows:
            if row["status"] == "tasks":
                for fam, n in row.get("tasks", {}).items():
                    self.counts.tasks[fam] = self.counts.tasks.get(fam, 0) + n
        self.lock = asyncio.Lock()
        self.policy: Policy | None = None

    def close(self) -> None:
        self.tasks_out.close()
        self.log.close()

    # -- one project --------------------------------------------------------------------------

    async def ask(self, messages: list[dict[str, Any]]) -> str:
        assert self.policy is not None
        response = await self.policy.act(messages, [], None)
        return response.message.get("content") or ""

    async def attempt(self, topic_: Topic, text: str) -> tuple[Project, int, dict[str, list[Task]], Path]:
        cfg = self.config
        project = check_project(parse_files(text), cfg.limits)
        passed = await check_tests(project, cfg.limits, cfg.backend, cfg.test_timeout_s)
        root = store_project(project, topic_.slug)
        if any(r["root"] == str(root) for r in self.log.accepted()):
            raise Rejected("duplicate", "the same project was already accepted for another topic")
        src = project_source(root, project, topic_)
        meta = {"topic": topic_.text, "index": topic_.index, "seed": cfg.seed, "teacher": self.teacher.name}
        tasks = await derive_tasks(src, cfg.families, cfg.per_family, cfg.backend, meta)
        if not any(tasks.values()):
            raise Rejected(
                "no_tasks",
                "the tests catch none of the injected bugs or removed function bodies tried; assert exact "
                "results of every public function",
            )
        return project, passed, tasks, root

    async def one(self, topic_: Topic) -> Done:
        """Ask, check, maybe send back once, then log the decision: accepted (kept) or rejected."""
        cfg = self.config
        messages = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {
                "role": "user",
                "content": USER_PROMPT.format(
                    subject=topic_.subject + (f" (variant {topic_.variant + 1})" if topic_.variant else ""),
                    style=topic_.style,
                    twist=topic_.twist,
                    min_lines=max(cfg.limits.min_lines, 60),
                    max_lines=min(cfg.limits.max_lines, 450),
                    min_tests=cfg.limits.min_tests,
                ),
            },
        ]
        base = {"index": topic_.index, "seed": cfg.seed, "topic": topic_.text, "teacher": self.teacher.name}
        for attempt in range(cfg.retries + 1):
            text = await self.ask(messages)
            try:
                project, passed, tasks, root = await self.attempt(topic_, text)
            except Rejected as rej:
                reply = self.dir / "replies" / f"s{cfg.seed}-{topic_.index:06d}-{attempt + 1}.md"
                reply.parent.mkdir(parents=True, exist_ok=True)
                reply.write_text(text)
                if attempt < cfg.retries:
                    output = f"\nTest output (last lines):\n```\n{rej.output}\n```\n" if rej.output else ""
                    messages += [
                        {"role": "assistant", "content": text},
                        {"role": "user", "content": FEEDBACK_PROMPT.format(reason=rej.reason, output=output)},
                    ]
                    continue
                async with self.lock:
                    row = {**base, "status": "rejected", "stage": rej.stage, "reason": rej.reason,
                           "attempts": attempt + 1, "reply": str(reply)}  # fmt: skip
                    self.log.append(row)
                    self.counts.reasons[rej.stage] = self.counts.reasons.get(rej.stage, 0) + 1
                log.info("topic %d rejected (%s): %s", topic_.index, rej.stage, rej.reason)
                return Done("", kept=False)
            async with self.lock:
                source = f"synth:{root.name}"
                self.log.append(
                    {**base, "status": "accepted", "source": source, "root": str(root), "attempts": attempt + 1,
                     "src_files": project.src_files, "test_files": project.test_files,
                     "test_cmd": project.test_cmd, "tests_passed": passed, "src_lines": project.src_lines}
                )  # fmt: skip
                self._write_tasks(source, tasks)
            return Done(source, kept=True)
        raise AssertionError("unreachable: the last attempt returns")

    def _write_tasks(self, source: str, tasks: dict[str, list[Task]]) -> None:
        counts = {}
        for fam, family_tasks in tasks.items():
            new = [t for t in family_tasks if t.id not in self.task_ids]  # a project seen before adds none
            for task in new:
                self.tasks_out.append(task.to_dict())
                self.task_ids.add(task.id)
            counts[fam] = len(new)
        for fam, n in counts.items():
            self.counts.tasks[fam] = self.counts.tasks.get(fam, 0) + n
        self.log.append({"status": "tasks", "source": source, "tasks": counts})

    # -- resume --------------------------------------------------------------------------------

    async def finish_unwritten(self) -> None:
        """Tasks of projects accepted by a run killed before it wrote them (no teacher call)."""
        written = self.log.written()
        for row in self.log.accepted():
            if row["source"] in written or not Path(row["root"]).is_dir():
                continue
            root = Path(row["root"])
            files = {rel: (root / rel).read_text() for rel in [*row["src_files"], *row["test_files"]]}
            project = Project(files, row["src_files"], row["test_files"], row.get("src_lines", 0))
            t = topic(row["seed"], row["index"])
            meta = {
                "topic": row["topic"],
                "index": row["index"],
                "seed": row["seed"],
                "teacher": row["teacher"],
            }
            tasks = await derive_tasks(
                project_source(root, project, t), self.config.families, self.config.per_family,
                self.config.backend, meta,
            )  # fmt: skip
            self._write_tasks(row["source"], tasks)

    # -- the loop ------------------------------------------------------------------------------

    async def run(self, progress: ProgressFn | None) -> SynthCounts:
        cfg, counts = self.config, self.counts
        await self.finish_unwritten()
        if progress:
            progress(counts)
        if counts.reached():
            return counts
        self.policy = self.teacher.policy(max_tokens=cfg.max_tokens)
        decided = self.log.decided(cfg.seed)
        indexes = (i for i in range(10**9) if i not in decided)
        jobs = (Job(f"synth:{cfg.seed}:{i}", partial(self.one, topic(cfg.seed, i))) for i in indexes)
        await fill(
            counts, jobs, workers=cfg.workers, teacher=self.teacher,
            max_attempts=cfg.max_topics if cfg.max_topics is not None else 3 * cfg.count + 5,
            max_consecutive_errors=MAX_CONSECUTIVE_ERRORS, progress=progress,
        )  # fmt: skip
        return counts


async def synthesize(
    config: SynthConfig, teacher: Teacher, progress: ProgressFn | None = None
) -> SynthCounts:
    """Accept projects until ``config.count`` are in the run (resuming an earlier one); see the module doc."""
    bad = [f for f in config.families if f not in SYNTH_FAMILIES]
    if bad:
        raise ValueError(f"family {bad[0]!r}: synthesis makes {' and '.join(SYNTH_FAMILIES)} tasks")
    if not teacher.paid:
        raise ValueError(teacher_needed_message())
    run = _Run(config, teacher)
    try:
        return await run.run(progress)
    finally:
        run.close()
