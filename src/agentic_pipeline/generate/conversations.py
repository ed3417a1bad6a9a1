"""Multi-turn agentic coding sessions: one workspace, 2-4 user requests, one conversation, real observations.

A session starts from a shipped project with one task's starting workspace (a bug or a stubbed
function) and its instruction as the first user request. After the agent answers a request, the
task's verifier runs on the workspace; then the harness changes the workspace the way a real session
goes on, and the next user message says so:

- debugging: another task's mutation is applied ("I pulled my teammate's change and the tests fail
  again"), and the message quotes the real output of the test command, run in the sandbox;
- coding: another function's body is removed ("I've stubbed out `f()`, implement it");
- refactoring (last request only, its verifier pins renamed tests): the instruction as a follow-up;
- devops (last request only): a Makefile target to add ("I've added a Makefile ...").

A follow-up applies only if its edit still applies to the current files and its problem is real in
the current state (the test command fails, or the refactoring's files are unchanged since the
start, or ``make TARGET`` fails); otherwise the next candidate is tried. Git devops tasks (merge,
revert, bisect) are not used: they rebuild a git history in setup, which a session's workspace cannot
take.

The conversation has no ``finish`` tool: a request ends with the assistant's plain-text answer (a
``finish`` call from a teacher is turned into that answer). The LLM teacher sees the whole
conversation; the oracle sees the current request only (its plans replay one task's observations).

A session is kept (``DATA_DIR/conversations/coding_sessions.jsonl``) only if every request
verified; otherwise it goes to ``DATA_DIR/rejected/conversations/coding_sessions.jsonl`` with
``metadata.rejected_reason``. Session ids derive from the first task and the seed; resume and sharding
are the trajectory runner's (``generate.trajectories``), durable appends ``agentic_pipeline.jsonl``.
Sessions are built from the projects of ``config.split`` only (``--split``, default ``train``).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from agentic_pipeline import __version__
from agentic_pipeline.agent import Episode, RunConfig
from agentic_pipeline.generate.pool import Counts, Job, ProgressFn, RecordFiles, RunnerConfig, fill
from agentic_pipeline.generate.trajectories import order
from agentic_pipeline.jsonl import done_task_ids, settled_task_ids
from agentic_pipeline.layout import data_file, rejected_file
from agentic_pipeline.llm.dryrun import EpisodeShape
from agentic_pipeline.llm.usage import Usage
from agentic_pipeline.policies.base import Policy, PolicyResponse
from agentic_pipeline.policies.observe import clip
from agentic_pipeline.records import SCHEMA_VERSION, ConversationRecord, Outcome
from agentic_pipeline.sandbox import Limits, Sandbox
from agentic_pipeline.tasks.base import Task, apply_edit
from agentic_pipeline.tasks.catalog import candidates
from agentic_pipeline.tasks.facts import ImplementFacts, ImplementManyFacts
from agentic_pipeline.tasks.sources import CodeSource, project_sources
from agentic_pipeline.tasks.split import check_split, select_sources
from agentic_pipeline.tasks.validity import cached_validity, task_is_valid, usable_sources
from agentic_pipeline.tasks.verify import verify
from agentic_pipeline.teacher import Teacher, oracle_teacher
from agentic_pipeline.tools import TOOL_SPECS

log = logging.getLogger(__name__)

CATEGORY = "coding_sessions"
# A session's tools: the agent's, without `finish` (a request ends with a text answer).
SESSION_TOOLS = [t for t in TOOL_SPECS if t["function"]["name"] != "finish"]
SESSION_SYSTEM_PROMPT = """You are an autonomous software engineering agent pairing with a developer in a \
sandboxed Linux workspace (/workspace, your current directory). You act through tools: `bash` runs a shell \
command, `read_file`, `write_file` and `edit_file` work on files.

The developer makes one request at a time in this conversation. For each request: look before you change \
anything, make small targeted edits, run the relevant command (tests, the script) to check your work, then \
answer in plain text (no tool call) with a short summary of what you changed and how you checked it. That \
answer ends the request. There is no network access. Do not modify tests unless asked to."""

FOLLOW_FAMILIES = ("debugging", "coding")
MAX_TRIES_PER_TURN = 6  # follow-up candidates tried before a session ends with fewer requests
PRECHECK_TIMEOUT_S = 20.0
OUTPUT_LINES = 20


@dataclass(kw_only=True)
class SessionConfig(RunnerConfig):
    turns: tuple[int, int] = (2, 4)
    run: RunConfig = field(default_factory=lambda: RunConfig(system_prompt=SESSION_SYSTEM_PROMPT))
    sources: list[CodeSource] | None = None  # None: the shipped projects whose tests pass
    max_sessions: int | None = None  # stop after starting this many sessions (a cap on attempts)


def session_shape(turns: tuple[int, int]) -> EpisodeShape:
    """``--dry-run``: a session is ~6 model calls per request over one growing conversation."""
    requests = (turns[0] + turns[1]) / 2
    return EpisodeShape(steps=round(6 * requests), first_prompt=3_000, last_prompt=round(6_000 * requests))


def parse_turns(text: str) -> tuple[int, int]:
    """``"2-4"`` or ``"3"`` -> (low, high), 2 <= low <= high <= 4."""
    try:
        lo, _, hi = text.partition("-")
        low, high = int(lo), int(hi or lo)
    except ValueError:
        raise ValueError(f"--turns must look like 2-4 or 3, got {text!r}") from None
    if not 2 <= low <= high <= 4:
        raise ValueError(f"--turns {text}: need 2 <= low <= high <= 4 requests per session")
    return low, high


def session_id(first_task_id: str, seed: int, teacher: str) -> str:
    return "sess-" + hashlib.sha256(f"{first_task_id}\x00{seed}\x00{teacher}".encode()).hexdigest()[:20]


# ----------------------------------------------------------------------------- the plan of a session


@dataclass
class SessionPlan:
    """The first task, the number of requests, and the ordered follow-up candidates by family."""

    key: str
    first: Task
    n_requests: int
    follow: dict[str, list[Task]]
    rng: random.Random
    phrases: set[str] = field(default_factory=set)  # user phrasings used so far (no repeats in a session)

    def family_for(self, index: int) -> str:
        """Family of request ``index`` (1-based). Refactoring and devops come last only: a rename's verifier
        pins renamed tests, and a Makefile task's check leaves build folders behind."""
        if index == self.n_requests:
            draw = self.rng.random()
            if draw < 0.3 and self.follow.get("refactoring"):
                return "refactoring"
            if draw < 0.5 and self.follow.get("devops"):
                return "devops"
        return self.rng.choice(FOLLOW_FAMILIES)


def plan_session(
    first: Task, pools: dict[str, list[Task]], config: SessionConfig, teacher: str
) -> SessionPlan:
    key = session_id(first.id, config.seed, teacher)
    rng = random.Random(int(hashlib.sha256(key.encode()).hexdigest()[:16], 16))
    follow = {}
    for family, tasks in pools.items():
        same = [t for t in tasks if t.source == first.source and t.id != first.id]
        follow[family] = sorted(same, key=lambda t: hashlib.sha256(f"{key}\x00{t.id}".encode()).hexdigest())
    return SessionPlan(key, first, rng.randint(*config.turns), follow, rng)


# ----------------------------------------------------------------------------- user messages


def _pick(rng: random.Random, options: tuple[str, ...], seen: set[str] | None = None, **fmt: Any) -> str:
    """A seeded choice; with ``seen``, a phrasing not used yet in this session when one is left."""
    fresh = [o for o in options if seen is None or o not in seen] or list(options)
    choice = rng.choice(fresh)
    if seen is not None:
        seen.add(choice)
    return choice.format(**fmt)


def _tail(output: str, n: int = OUTPUT_LINES) -> str:
    lines = [ln for ln in output.rstrip().splitlines() if not ln.startswith("[exit code")]
    text = "\n".join(lines[-n:])
    return text if len(text) <= 2500 else "...\n" + text[-2500:]


def first_message(task: Task, src: CodeSource, rng: random.Random) -> str:
    if rng.random() < 0.5 or not src.description:
        return task.instruction
    opener = _pick(
        rng,
        (
            "I'm working on {name} ({desc}). ",
            "This repo is {name}: {desc} ",
            "Context: this is the {name} project. {desc} ",
        ),
        name=src.short,
        desc=src.description.rstrip(".") + ".",
    )
    return opener + task.instruction


def follow_message(task: Task, output: str, rng: random.Random, seen: set[str] | None = None) -> str:
    """The user's next request; ``seen`` holds the phrasings this session already used."""
    cmd = task.check_cmd
    if task.family == "debugging":
        return _pick(
            rng,
            seen=seen,
            options=(
                "Thanks! I pulled my teammate's change and `{cmd}` fails again:\n\n```\n{out}\n```\n\n"
                "Can you fix it? Fix the code, not the tests.",
                "Another one: after merging the latest main, `{cmd}` is red again. Here's the output:\n\n"
                "```\n{out}\n```\n\nPlease find the bug and fix it.",
                "Something else broke after my rebase. `{cmd}` says:\n\n```\n{out}\n```\n\n"
                "Could you track it down and fix it?",
                "Great. Now CI fails on the next commit in my branch:\n\n```\n{out}\n```\n\n"
                "That's from `{cmd}`. Please fix the source (leave the tests alone).",
            ),
            cmd=cmd,
            out=_tail(output),
        )
    if isinstance(task.solution.facts, ImplementManyFacts):
        f = task.solution.facts
        names = [f"`{n}`" for n in f.functions]
        return _pick(
            rng,
            seen=seen,
            options=(
                "Next: I've stubbed out {funcs} in {file} (they just raise NotImplementedError now) because I "
                "want them rewritten. Implement them so that `{cmd}` passes again.",
                "I removed the bodies of {funcs} in {file}. Please write them again; their docstrings and the "
                "tests say what they must do, and `{cmd}` must pass.",
                "{funcs} in {file} are only stubs now. Can you implement them? Done means `{cmd}` passes.",
            ),
            funcs=", ".join(names[:-1]) + " and " + names[-1],
            file=f.path,
            cmd=cmd,
        )
    if task.family == "coding":
        f = task.solution.facts_as(ImplementFacts)
        return _pick(
            rng,
            seen=seen,
            options=(
                "Next: I've stubbed out `{func}` in {file} (it just raises NotImplementedError now) because I "
                "want it rewritten. Implement it so that `{cmd}` passes again.",
                "I removed the body of `{func}` in {file}. Please write it again; its docstring and the tests "
                "say what it must do, and `{cmd}` must pass.",
                "`{func}` in {file} is only a stub now. Can you implement it? Done means `{cmd}` passes.",
            ),
            func=f.function,
            file=f.path,
            cmd=cmd,
        )
    if task.family == "devops":
        added = output.removeprefix("added:")
        opener = (
            f"I've added a {added} (it only has a `help` target so far). " if added else "One more thing. "
        )
        return opener + task.instruction
    prefix = _pick(
        rng, ("Good, thanks. One more thing: ", "Now a cleanup. ", "Next, some refactoring: "), seen
    )
    return prefix + task.instruction


# ----------------------------------------------------------------------------- the policy in a session


class SessionPolicy:
    """Wraps a teacher for a session: session tools, finish -> text answer, unique call ids."""

    def __init__(self, inner: Policy) -> None:
        self.inner = inner
        self.name = inner.name
        self.is_oracle = inner.name == "oracle"

    async def act(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]], task: Task
    ) -> PolicyResponse:
        request = sum(1 for m in messages if m["role"] == "user")
        if self.is_oracle:
            # The oracle's plans replay one task's observations: show it the current request only.
            start = max(i for i, m in enumerate(messages) if m["role"] == "user")
            messages = [messages[0], *messages[start:]]
        response = await self.inner.act(messages, SESSION_TOOLS, task)
        message = dict(response.message)
        calls = list(message.get("tool_calls") or [])
        finish = [c for c in calls if c["function"]["name"] == "finish"]
        calls = [c for c in calls if c["function"]["name"] != "finish"]
        if finish and not calls:
            summary = str(finish[0]["function"]["arguments"].get("summary", "")).strip()
            text = " ".join(p for p in ((message.get("content") or "").strip(), summary) if p) or "Done."
            message = {"role": "assistant", "content": text}
        elif calls:
            if self.is_oracle:  # the oracle numbers calls per task; a session needs ids unique overall
                calls = [{**c, "id": f"call_{request}_{c['id'].removeprefix('call_')}"} for c in calls]
            message["tool_calls"] = calls
        else:
            message.pop("tool_calls", None)
        return PolicyResponse(message=message, usage=response.usage, malformed=response.malformed)


# ----------------------------------------------------------------------------- one session


@dataclass
class RequestResult:
    task: Task
    status: str
    verified: bool
    detail: str
    steps: int


async def _prepare_follow(task: Task, sandbox: Sandbox, base_texts: dict[str, str]) -> str | None:
    """Apply ``task``'s change to the workspace if it fits; the real check output, or None (not applied)."""
    ws = sandbox.workspace
    if task.family == "refactoring":
        # Its verifier was validated on the pristine project: the files it reads must still be that.
        for rel in base_texts:
            path = ws / rel
            if not path.is_file() or path.read_text() != task.start_text(rel):
                return None
        return "" if await task_is_valid(task, sandbox.backend) else None
    if task.family == "devops":
        return await _prepare_makefile(task, sandbox)
    if cached_validity(task) is False:
        return None
    originals = {}
    try:
        for e in task.patches:
            path = ws / e.path
            originals.setdefault(e.path, path.read_text())
            path.write_text(apply_edit(path.read_text(), e))
    except (ValueError, OSError):
        _restore(ws, originals)
        return None
    result = await sandbox.arun(task.check_cmd, timeout=PRECHECK_TIMEOUT_S)
    if result.exit_code == 0 or result.timed_out:
        _restore(ws, originals)  # the tests don't catch this change here: not a real request
        return None
    return result.output


async def _prepare_makefile(task: Task, sandbox: Sandbox) -> str | None:
    """A Makefile task: its starting Makefile is added if absent (the user says so); `make TARGET` must fail."""
    ws = sandbox.workspace
    added = []
    for rel, text in task.files.items():
        path = ws / rel
        if path.exists() and path.read_text() != text:
            return None  # another Makefile is there: this task's start state doesn't hold
        if not path.exists():
            path.write_text(text)
            added.append(rel)
    result = await sandbox.arun(task.check_cmd, timeout=PRECHECK_TIMEOUT_S)
    if result.exit_code == 0 or result.timed_out:
        for rel in added:
            (ws / rel).unlink()
        return None
    return "added:" + ",".join(added)


def _restore(ws: Path, originals: dict[str, str]) -> None:
    for rel, text in originals.items():
        (ws / rel).write_text(text)


async def run_session(
    plan: SessionPlan, src: CodeSource, policy: Policy, config: SessionConfig
) -> ConversationRecord:
    """Run every request of ``plan`` in one workspace; the record's outcome says whether all verified."""
    started = time.monotonic()
    run = config.run
    limits = Limits(timeout_s=run.command_timeout_s)
    session_policy = SessionPolicy(policy)
    messages: list[dict[str, Any]] = [{"role": "system", "content": run.system_prompt}]
    results: list[RequestResult] = []
    usage = Usage()
    with tempfile.TemporaryDirectory(prefix="agentic-session-") as tmp:
        ws = plan.first.materialize(Path(tmp) / "workspace")
        sandbox = Sandbox(ws, limits, backend=run.backend, venv=plan.first.env)
        base_texts = {rel: src.read(rel) for rel in [*src.src_files, *src.test_files]}
        task, user = plan.first, first_message(plan.first, src, plan.rng)
        used = {plan.first.id}
        for index in range(1, plan.n_requests + 1):
            if index > 1:
                task, user = await _next_request(plan, index, sandbox, base_texts, used)
                if task is None:
                    break
            episode = Episode(task, session_policy, run, sandbox)
            episode.messages = [*messages, {"role": "user", "content": user}]
            status, _ = await episode.run()
            messages = episode.messages
            usage.add(episode.usage)
            verdict = await verify(task, Sandbox(ws, limits, backend=run.backend, venv=task.env))
            results.append(RequestResult(task, status, verdict.verified, verdict.detail, episode.steps))
            if not verdict.verified or messages[-1]["role"] != "assistant" or messages[-1].get("tool_calls"):
                break
    return _record(plan, src, policy, config, messages, results, usage, time.monotonic() - started)


async def _next_request(
    plan: SessionPlan, index: int, sandbox: Sandbox, base_texts: dict[str, str], used: set[str]
) -> tuple[Task | None, str]:
    family = plan.family_for(index)
    for family_try in (family, *(f for f in FOLLOW_FAMILIES if f != family)):
        tries = 0
        for task in plan.follow.get(family_try, []):
            if task.id in used or tries >= MAX_TRIES_PER_TURN:
                continue
            tries += 1
            output = await _prepare_follow(task, sandbox, base_texts)
            if output is not None:
                used.add(task.id)
                return task, follow_message(task, output, plan.rng, plan.phrases)
    return None, ""


def _record(plan, src, policy, config, messages, results, usage, seconds) -> ConversationRecord:
    all_ok = bool(results) and all(r.verified for r in results) and len(results) >= 2
    ended_right = messages[-1]["role"] == "assistant" and not messages[-1].get("tool_calls")
    detail = "; ".join(f"request {i}: {clip(r.detail, 300)}" for i, r in enumerate(results, 1))
    metadata = {
        "schema_version": SCHEMA_VERSION,
        "teacher": policy.name,
        "task_id": plan.key,
        "source": src.name,
        "usage": usage.as_dict(),
        "requests": [
            {
                "task_id": r.task.id,
                "family": r.task.family,
                "verified": r.verified,
                "exit_status": r.status,
                "steps": r.steps,
                "detail": clip(r.detail, 500),
            }
            for r in results
        ],
        "planned_requests": plan.n_requests,
        "package_version": __version__,
        "duration_s": round(seconds, 3),
        "seed": config.seed,
    }
    if not all_ok or not ended_right:
        metadata["rejected_reason"] = _reason(results, ended_right)
    outcome = Outcome(
        verified=all_ok and ended_right,
        verifier="+".join(sorted({r.task.verifier.name for r in results})) or "none",
        detail=detail,
        exit_status=results[-1].status if results else "not_started",
    )
    return ConversationRecord(
        id=plan.key, tools=SESSION_TOOLS, messages=messages, outcome=outcome, metadata=metadata
    )


def _reason(results: list[RequestResult], ended_right: bool) -> str:
    for i, r in enumerate(results, 1):
        if not r.verified:
            return clip(
                f"request {i} ({r.task.family}, {r.task.id}) not verified after {r.status}: {r.detail}", 2000
            )
    if not ended_right:
        return "the conversation does not end with the assistant's text answer"
    return f"only {len(results)} request(s) could be set up in this workspace (a session needs 2)"


# ----------------------------------------------------------------------------- the run


def session_pools(sources: list[CodeSource]) -> dict[str, list[Task]]:
    pools = {f: candidates(f, sources, standalone=False) for f in (*FOLLOW_FAMILIES, "refactoring")}
    # Of devops, the Makefile tasks fit a session's workspace; merge/revert/bisect rebuild git history.
    pools["devops"] = [
        t for t in candidates("devops", sources, standalone=False) if t.meta.get("devops") == "make"
    ]
    return pools


async def generate_sessions(
    config: SessionConfig, teacher: Teacher | None = None, progress: ProgressFn | None = None
) -> Counts:
    """Run sessions with ``teacher`` (default: the oracle) until ``config.count`` are kept (counting
    those already on disk)."""
    teacher = teacher or oracle_teacher(config.seed)
    check_split(config.split)
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(max_workers=max(8, config.workers * 2))
    )
    run = config.run
    # A session stays in one source: keeping the split's sources keeps every request in the split.
    if config.sources is not None:
        sources = select_sources(config.sources, config.split)
    else:
        sources = await usable_sources(select_sources(project_sources(), config.split), run.backend)
    by_name = {s.name: s for s in sources}
    pools = session_pools(sources)
    firsts = order([t for f in FOLLOW_FAMILIES for t in pools[f]], config.seed, config.shard)
    files = RecordFiles(
        data_file(config.out, "conversation", CATEGORY),
        rejected_file(config.out, CATEGORY, kind="conversation"),
    )
    kept_ids = done_task_ids(files.kept_path)
    done = settled_task_ids(files.kept_path, files.rejected_path)
    counts = Counts(CATEGORY, config.count, kept=len(kept_ids), skipped=len(done))
    if progress:
        progress(counts)
    if counts.reached():
        return counts
    config.executor.require_paths([s.root for s in sources] + [t.base for ts in pools.values() for t in ts])
    policy = config.executor.policy(teacher)
    plans = (plan_session(t, pools, config, teacher.name) for t in firsts)
    jobs = (
        Job(
            p.key,
            partial(run_session, p, by_name[p.first.source], policy, config),  # here or on a Ray node
            partial(task_is_valid, p.first, run.backend),
            write=files.write,
        )
        for p in plans
        if p.key not in done
    )
    with files:
        return await fill(
            counts,
            jobs,
            workers=config.workers,
            teacher=teacher,
            max_attempts=config.max_sessions,
            progress=progress,
            executor=config.executor,
        )
