"""``--expand``: rewrite "How do I X?" examples into the agentic form with an LLM teacher.

A converted single-turn record whose user turn is a how-to question ("How do I X?", "How can I X?",
"How to X?") is sent, with its reference answer, to the teacher (``anthropic:MODEL`` or
``openai:MODEL``) in ONE request whose JSON reply carries two things:

1. the rewrite: a direct instruction ("Do X") and an answer that reasons before it acts. It is added
   to the domain file beside the original (``metadata.expanded_from`` names it); the original stays,
   it is the user's own knowledge. Every candidate gets this.
2. whether the task can be carried out in the sandbox (Python 3.11 and its standard library, common
   CLI tools, no network) and, if so, a task spec: a concrete instruction naming files, the starting
   files, and a shell command that exits 0 only when the task is done. The spec is parsed strictly
   (``convert.task_spec``: relative paths only, size caps, a non-empty check) and becomes a ``Task``
   whose verifier holds the check (outside the workspace, so the agent can't edit it). The check
   must FAIL on the starting workspace (``task_is_valid``), else the spec is refused with "check
   passes before any work". Then the agent loop runs the task with the same teacher as the policy,
   in the sandbox, and the verifier decides: a verified episode goes to
   ``DATA_DIR/trajectories/<category>_tasks.jsonl``, a failed one to
   ``DATA_DIR/rejected/trajectories/<category>.jsonl`` with ``metadata.rejected_reason``; both carry
   ``metadata.expanded_from`` (the source record's id; ``metadata.source`` is its file:line) and
   ``metadata.task_spec``. DATA_DIR is the output folder's parent, as for converted preference pairs.

Why one request rather than two: the teacher reads the question and its reference once, the rewrite
and the task come from the same reading, and a how-to costs one call whether or not it is executable.

Refusals (a spec that breaks a rule, a check that already passes, an episode that crashed) and
rewrites that failed go to ``<output>/rejected/convert.jsonl`` with their reason. Convert rebuilds
that file on every run: refusals are reported again from the cached reply (never asked again); a
failed rewrite (an API error, a reply without the JSON asked for) is asked again.

The teacher is the run's ``Teacher``: the same clients, retries, rate limits and cost ledger
(``<DATA_DIR>/.cache/expand/ledger.sqlite``, which ``--max-cost-usd`` counts against) as every
generator; candidates run in the generators' worker pool. A rewrite request is booked to the episode
``expand:<cache key>``, a task's episode to the task's id. Nothing is expanded without an LLM teacher:
the offline oracle can't write free text or tasks, and this module says so instead of producing
made-up rewrites.

Resume: replies are cached per domain in ``<DATA_DIR>/.cache/expand/<domain>.ndjson`` (keyed by
model, prompt, question and reference), so a rerun asks nothing already answered; an episode whose
task id (a hash of the spec) is in the kept or rejected trajectory file is not run again (except one
that the teacher's failure ended, as in ``generate trajectories``).

This module runs episodes, so it lives in ``generate`` (above the agent loop and ``convert``, whose
task-spec parser it uses); ``agentic convert --expand`` calls it after converting.

What this does not do: invent a workspace for a question whose teacher says it can't be executed,
or keep an episode the verifier did not pass. Without bubblewrap the rewrites are made and the
executable tasks are reported as not run.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from agentic_pipeline.agent import RunConfig, run_episode
from agentic_pipeline.convert.task_spec import SpecError, build_task, parse_spec
from agentic_pipeline.generate.pool import Counts, Done, Job, RecordFiles, fill
from agentic_pipeline.jsonl import settled_task_ids
from agentic_pipeline.layout import data_file, rejected_file
from agentic_pipeline.policies.base import Policy
from agentic_pipeline.records import SCHEMA_VERSION
from agentic_pipeline.sandbox import SandboxUnavailable, check_bwrap
from agentic_pipeline.tasks.validity import task_is_valid
from agentic_pipeline.teacher import Teacher

QUESTION = re.compile(
    r"^\s*(?:how\s+(?:do|can|could|should|would|might)\s+(?:i|we|you|one)|how\s+to)\b", re.I
)

SYSTEM_PROMPT = """You turn a how-to question into examples for training an agent.
Given a question ("How do I X?") and a reference answer, reply with one JSON object and nothing else:
{"instruction": "<the question rewritten as a direct imperative request, e.g. 'Do X'>",
 "reasoning": "<how to approach the task, step by step, before acting>",
 "answer": "<the answer that carries out the instruction, consistent with the reference answer>",
 "executable": <true if a concrete version of the task can be carried out and checked in a small Linux \
sandbox: a workspace folder, Python 3.11 with its standard library only, common command-line tools \
(coreutils, grep, sed, awk, tar, git), no network, no root, no services; false otherwise>,
 "task": <null when not executable; else an object:
   {"instruction": "<a concrete 'Do X' request for that sandbox that names the files to create or change>",
    "category": "<coding, debugging, refactoring or devops>",
    "files": {"<relative/path>": "<content>"},
    "pinned": ["<paths among files that the check uses as tests; the agent's edits to them are undone>"],
    "check": "<one shell command, run in the workspace when the agent is done, that exits 0 only if the \
task is done; it must fail on the starting files>"}>}
The files are the starting workspace (possibly none). Paths are relative, without '..'."""

# Part of every cache key: a changed prompt asks again instead of reusing replies to the old one.
PROMPT_VERSION = hashlib.blake2b(SYSTEM_PROMPT.encode(), digest_size=6).hexdigest()

NO_TEACHER = (
    '--expand rewrites "How do I X?" examples into a "Do X" instruction answered with reasoning and, '
    "where the task can be executed, runs it in the sandbox to keep a verified trajectory, by asking "
    "an LLM teacher for each one. No LLM teacher is configured (the offline oracle can't write free "
    "text or tasks), so nothing will be expanded and no trajectory made: the data is converted as it "
    "is. To expand, pass --teacher anthropic:MODEL (with ANTHROPIC_API_KEY) or --teacher openai:MODEL "
    "(with OPENAI_API_KEY, or --base-url for a local server)."
)

WORKERS = 4  # candidates handled at once when the caller gives no number


class ExpandError(Exception):
    """A problem with the expansion set-up or the teacher; the message is for people."""


@dataclass
class ExpansionPlan:
    teacher: str | None = None
    message: str | None = None
    concurrency: int = WORKERS


def expansion_plan(expand: bool, teacher: str | None, concurrency: int | None = None) -> ExpansionPlan:
    """What ``--expand``/``--teacher`` will do, with the message to show (raises ExpandError on misuse)."""
    if not expand:
        note = "--teacher has no effect without --expand." if teacher not in (None, "oracle") else None
        return ExpansionPlan(message=note)
    if teacher is None or teacher == "oracle":
        return ExpansionPlan(message=NO_TEACHER)
    provider, _, model = teacher.partition(":")
    if provider not in ("anthropic", "openai") or not model:
        raise ExpandError(
            f"--teacher {teacher!r}: --expand needs an LLM teacher: anthropic:MODEL or openai:MODEL"
        )
    return ExpansionPlan(teacher=teacher, concurrency=concurrency or WORKERS)


def expand_run_dir(output: Path) -> Path:
    """Where the reply caches and the cost ledger of ``--expand`` live: ``<DATA_DIR>/.cache/expand``."""
    return Path(output).parent / ".cache" / "expand"


def is_candidate(record: dict[str, Any]) -> bool:
    """A single-turn record whose user turn is a how-to question."""
    turns = [m for m in record.get("messages", ()) if m["role"] != "system"]
    return (
        record.get("kind") == "domain"
        and "expanded_from" not in record.get("metadata", {})
        and len(turns) == 2
        and turns[0]["role"] == "user"
        and "tool_calls" not in turns[1]
        and bool(QUESTION.match(turns[0]["content"]))
    )


@dataclass
class Expansion:
    instruction: str
    reasoning: str
    answer: str
    usage: dict[str, int]
    executable: Any = False  # as the teacher wrote it: only ``True`` leads to a task
    task: Any = None


def parse_reply(content: str | None) -> dict[str, Any]:
    """The teacher's JSON object (code fences and text around it tolerated), or ExpandError."""
    match = re.search(r"\{.*\}", content or "", re.S)
    if not match:
        raise ExpandError("teacher reply holds no JSON object")
    try:
        obj = orjson.loads(match.group(0))
    except orjson.JSONDecodeError as exc:
        raise ExpandError(f"teacher reply is not valid JSON ({exc})") from None
    if not isinstance(obj, dict):
        raise ExpandError("teacher reply is not a JSON object")
    fields: dict[str, Any] = {}
    for key in ("instruction", "reasoning", "answer"):
        value = obj.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ExpandError(f"teacher reply has no non-empty {key!r}")
        fields[key] = value.strip()
    # Executability is judged later, per spec: a bad spec must not cost the rewrite.
    fields["executable"] = obj.get("executable", False)
    fields["task"] = obj.get("task")
    return fields


def _usage(usage: Any) -> dict[str, int]:
    counts = usage.as_dict()
    return {k: v for k, v in counts.items() if v or k in ("requests", "input_tokens", "output_tokens")}


class Expander:
    """Asks the teacher policy (messages in, one assistant message out, no tools) for one expansion."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    async def expand(self, question: str, reference: str) -> Expansion:
        messages = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": f"Question:\n{question}\n\nReference answer:\n{reference}"},
        ]
        try:
            response = await self.policy.act(messages, [], None)
        except Exception as exc:  # an API error that outlived the retries fails this example only
            raise ExpandError(f"teacher request failed: {type(exc).__name__}: {exc}") from None
        fields = parse_reply(response.message.get("content"))
        return Expansion(usage=_usage(response.usage), **fields)


def expanded_record(record: dict[str, Any], exp: Expansion, teacher: str) -> dict[str, Any]:
    """The new record, shaped like ``dump_record`` output (Metadata's declared keys first)."""
    system = [m for m in record["messages"] if m["role"] == "system"]
    meta = record["metadata"]
    return {
        "id": f"{record['id']}-x",
        "tools": [],
        "metadata": {
            "schema_version": SCHEMA_VERSION,
            "teacher": teacher,
            "source": meta.get("source"),
            "usage": exp.usage,
            "line": meta.get("line"),
            "format": meta.get("format"),
            "expanded_from": record["id"],
        },
        "messages": [
            *system,
            {"role": "user", "content": exp.instruction},
            {"role": "assistant", "content": f"{exp.reasoning}\n\n{exp.answer}"},
        ],
        "kind": "domain",
        "category": record["category"],
    }


class Cache:
    """Teacher answers already paid for, keyed by model + prompt + question + reference, appended as they come."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, dict[str, Any]] = {}
        if path.exists():
            for line in path.read_bytes().splitlines():
                try:
                    entry = orjson.loads(line)
                except orjson.JSONDecodeError:
                    continue  # a line torn by a crash: that one is asked again
                self.entries[entry["key"]] = entry
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("ab")

    @staticmethod
    def key(model: str, question: str, reference: str) -> str:
        payload = orjson.dumps([model, PROMPT_VERSION, question, reference])
        return hashlib.blake2b(payload, digest_size=16).hexdigest()

    def get(self, key: str) -> Expansion | None:
        hit = self.entries.get(key)
        return None if hit is None else Expansion(**{k: v for k, v in hit.items() if k != "key"})

    def put(self, key: str, exp: Expansion) -> None:
        entry = {"key": key, **exp.__dict__}
        self.entries[key] = entry
        self._file.write(orjson.dumps(entry) + b"\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


# --- running the executable ones ---------------------------------------------------------------


@dataclass
class FileReport:
    """What happened to one domain file's candidates."""

    candidates: int = 0
    expanded: int = 0
    failed: int = 0
    not_asked: int = 0  # --max-cost-usd reached before they were asked
    executable: int = 0
    verified: int = 0
    rejected: int = 0
    refused: int = 0
    done_before: int = 0
    not_run: int = 0
    rejects: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Context:
    """Everything the candidates of one run share."""

    expander: Expander
    teacher: Teacher  # the run's: ledger, budget, episode booking
    data_dir: Path
    run_config: RunConfig
    backend: str | None  # None: no sandbox here, tasks are not run
    no_sandbox_reason: str = ""
    settled: dict[str, set[str]] = field(default_factory=dict)
    files: dict[str, RecordFiles] = field(default_factory=dict)
    inflight: set[str] = field(default_factory=set)

    def done(self, family: str) -> set[str]:
        if family not in self.settled:
            kept = data_file(self.data_dir, "trajectory", family)
            self.settled[family] = settled_task_ids(kept, rejected_file(self.data_dir, family))
        return self.settled[family]

    def write(self, family: str, record: Any, **metadata: Any) -> Done:
        if family not in self.files:
            kept = data_file(self.data_dir, "trajectory", family)
            self.files[family] = RecordFiles(kept, rejected_file(self.data_dir, family))
        return self.files[family].write(record, **metadata)

    def close(self) -> None:
        for files in self.files.values():
            files.close()


def _reject(report: FileReport, record: dict[str, Any], reason: str, raw: Any = "") -> None:
    meta = record["metadata"]
    raw_text = raw if isinstance(raw, str) else orjson.dumps(raw).decode()
    report.rejects.append(
        {"file": meta.get("source"), "line": meta.get("line"), "reason": reason, "raw": raw_text[:4000]}
    )


async def _run_task(ctx: Context, report: FileReport, record: dict[str, Any], exp: Expansion) -> None:
    """Spec -> task -> is it one? -> episode -> kept or rejected trajectory."""
    try:
        if exp.executable is not True:
            raise SpecError(f"'executable' must be true or false, got {exp.executable!r}")
        spec = parse_spec(exp.task)
    except SpecError as exc:
        report.refused += 1
        return _reject(report, record, f"task spec: {exc}", exp.task)
    meta = record["metadata"]
    task = build_task(spec, f"{meta.get('source')}:{meta.get('line')}", {"expanded_from": record["id"]})
    if task.id in ctx.done(task.family) or task.id in ctx.inflight:
        report.done_before += 1
        return None
    if ctx.backend is None:
        report.not_run += 1
        return None
    ctx.inflight.add(task.id)
    try:
        if not await task_is_valid(task, ctx.backend):
            report.refused += 1
            return _reject(report, record, "task spec: check passes before any work", spec.as_dict())
        if not ctx.teacher.allows_new():
            report.not_run += 1
            return None
        try:
            with ctx.teacher.episode(task.id):
                trajectory = await run_episode(task, ctx.expander.policy, ctx.run_config)
        except Exception as exc:  # a crash outside the loop (the sandbox) loses this task only
            report.refused += 1
            return _reject(report, record, f"task episode: {type(exc).__name__}: {exc}", spec.as_dict())
        done = ctx.write(task.family, trajectory, expanded_from=record["id"], task_spec=spec.as_dict())
        report.verified += done.kept
        report.rejected += not done.kept
        ctx.teacher.episode_written(task.id, done.record_id, done.kept)
        ctx.done(task.family).add(task.id)
    finally:
        ctx.inflight.discard(task.id)
    return None


async def _candidate(
    ctx: Context, cache: Cache, report: FileReport, record: dict[str, Any]
) -> dict[str, Any] | None:
    """The expanded record of one candidate (None if it failed or wasn't asked); runs its task."""
    turns = [m for m in record["messages"] if m["role"] != "system"]
    name = ctx.expander.policy.name
    key = Cache.key(name, turns[0]["content"], turns[1]["content"])
    exp = cache.get(key)
    if exp is None:
        if not ctx.teacher.allows_new():
            report.not_asked += 1
            return None
        try:
            with ctx.teacher.episode(f"expand:{key}"):
                exp = await ctx.expander.expand(turns[0]["content"], turns[1]["content"])
        except ExpandError as exc:
            report.failed += 1
            _reject(report, record, f"expansion: {exc}")
            return None
        cache.put(key, exp)
        ctx.teacher.episode_written(f"expand:{key}", f"{record['id']}-x", True)
    report.expanded += 1
    if exp.executable not in (False, None):
        report.executable += 1
        await _run_task(ctx, report, record, exp)
    return expanded_record(record, exp, name)


async def _expand_file(
    ctx: Context, path: Path, records: list[dict[str, Any]], workers: int, tick: Callable[[], None]
) -> FileReport:
    candidates = [r for r in records if is_candidate(r)]
    report = FileReport(candidates=len(candidates))
    # .ndjson, not .jsonl: `agentic validate` reads every .jsonl under the data dir as records.
    cache = Cache(expand_run_dir(path.parent) / f"{path.stem}.ndjson")
    new: dict[int, dict[str, Any]] = {}

    async def one(index: int, record: dict[str, Any]) -> Done:
        try:
            expanded = await _candidate(ctx, cache, report, record)
        finally:
            tick()
        if expanded is not None:
            new[index] = expanded
        return Done(record["id"], kept=expanded is not None)

    # Every candidate is a job (target None): cached replies cost nothing, so the budget is checked
    # per paid request inside, and a candidate left unasked stays out of this run's file only.
    jobs = (Job(r["id"], partial(one, i, r)) for i, r in enumerate(candidates))
    try:
        await fill(Counts(path.name, None), jobs, workers=workers)
    finally:
        cache.close()
    if new:
        tmp = path.with_name(path.name + ".tmp")
        added = [new[i] for i in sorted(new)]  # the candidates' order, whatever finished first
        tmp.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records + added))
        os.replace(tmp, path)
    return report


def _lines(path: Path, report: FileReport, teacher: str, rejects: Path, ctx: Context) -> list[str]:
    line = f"{path}: {report.expanded} of {report.candidates} how-to examples expanded with {teacher}"
    if report.failed:
        line += f"; {report.failed} failed (reasons in {rejects})"
    if report.not_asked:
        line += f"; {report.not_asked} not asked (--max-cost-usd reached)"
    lines = [line]
    if report.executable:
        parts = [f"{report.verified} verified trajectories (under {ctx.data_dir / 'trajectories'})"]
        if report.rejected:
            parts.append(
                f"{report.rejected} failed verification (in {ctx.data_dir / 'rejected' / 'trajectories'})"
            )
        if report.refused:
            parts.append(f"{report.refused} refused (reasons in {rejects})")
        if report.done_before:
            parts.append(f"{report.done_before} done by an earlier run")
        if report.not_run:
            parts.append(f"{report.not_run} not run ({ctx.no_sandbox_reason or '--max-cost-usd reached'})")
        lines.append(f"{path}: {report.executable} executable as tasks: " + ", ".join(parts))
    return lines


async def _expand_all(
    plan: ExpansionPlan,
    jobs: list[tuple[Path, list[dict[str, Any]]]],
    output: Path,
    teacher: Teacher,
    tick: Callable[[], None],
) -> list[str]:
    assert plan.teacher is not None
    backend, why = "bwrap", ""
    try:
        check_bwrap()
    except SandboxUnavailable as exc:
        backend, why = None, f"no sandbox here: {exc}"
    ctx = Context(
        expander=Expander(teacher.policy()),  # the SDK clients are made inside the loop they run in
        teacher=teacher,
        data_dir=output.parent,
        run_config=RunConfig(backend=backend or "bwrap"),
        backend=backend,
        no_sandbox_reason=why,
    )
    rejects = output / "rejected" / "convert.jsonl"
    lines: list[str] = []
    try:
        for path, records in jobs:
            report = await _expand_file(ctx, path, records, plan.concurrency, tick)
            if report.rejects:
                rejects.parent.mkdir(parents=True, exist_ok=True)
                with rejects.open("ab") as f:
                    f.write(b"".join(orjson.dumps(r) + b"\n" for r in report.rejects))
            lines += _lines(path, report, plan.teacher, rejects, ctx)
    finally:
        ctx.close()
    return lines


def _domain_files(outputs: list[Path], output: Path) -> list[tuple[Path, list[dict[str, Any]]]]:
    """The converted domain files and their records (preference files are not expanded)."""
    return [
        (path, [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()])
        for path in outputs
        if path.parent.resolve() == output.resolve()
    ]


def count_candidates(outputs: list[Path], output: Path) -> int:
    """How many how-to examples ``run_expansion`` would ask the teacher about (``--dry-run``)."""
    return sum(1 for _, records in _domain_files(outputs, output) for r in records if is_candidate(r))


def run_expansion(
    plan: ExpansionPlan,
    outputs: list[Path],
    output: Path,
    teacher: Teacher,
    on_total: Callable[[int], None] | None = None,
    tick: Callable[[], None] | None = None,
) -> list[str]:
    """Expand every converted domain file; returns the lines for the CLI to print.

    ``teacher`` is the run's opened ``Teacher`` (policy, ledger, budget); ``on_total`` is told how
    many candidates there are, ``tick`` is called as each one is done (for a progress bar).
    """
    jobs = _domain_files(outputs, output)
    if on_total:
        on_total(sum(1 for _, records in jobs for r in records if is_candidate(r)))
    return asyncio.run(_expand_all(plan, jobs, output, teacher, tick or (lambda: None)))
