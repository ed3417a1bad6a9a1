"""Chain-of-thought reasoning records: single-turn, no tools, step-by-step reasoning then the answer.

``problem_solving`` is grounded and verified, offline by default: from a debugging task (a shipped project or a
stdlib module with an injected bug), the user shows the code around the bug and the REAL failing
output of the test command (run in the sandbox) and asks what is wrong. The assistant reasons from
what the output shows (failing tests, error, frames: parsed from that output) to the cause (the
known mutation: the line as it is and as it should be) and gives the fix as a unified diff. The diff
is then applied with ``patch`` in a fresh sandbox copy and the tests must pass, or the record is
rejected; ``metadata.evidence`` holds both runs' results. With an LLM teacher, the teacher answers the
same grounded prompt (live requests) and its own diff must apply and make the tests pass. Its tasks
come from the sources of ``config.split`` only (``--split``, default ``train``; ``tasks.split``).

``architecture_decisions`` and ``tradeoff_analysis`` are free-text design reasoning with no verifier:
they need an LLM teacher (``anthropic:MODEL`` / ``openai:MODEL``). Prompts come from the shipped
scenarios (``reasoning_topics/<category>.txt``, ~60 each) crossed with framings (team size, deadline,
scale...), so each (scenario, framing) pair is one deterministic item. Generation is live (requests in
flight at once, limited by the teacher's limiter) or ``--batch`` (Anthropic Message Batches, half price,
``llm.batch.run_batch``); every request is booked in the run's cost ledger. An answer is kept if it
reasons in steps and ends with an ``Answer:`` section; others go to the rejected file with the reason.
Offline, those categories are refused (``ReasoningState.refused`` says why; nothing is written).

Resume: each record's ``metadata.task_id`` (the debugging task or the topic item) is skipped on a
re-run; appends are ``agentic_pipeline.jsonl``'s (one fsync'd line, torn tails trimmed).
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import random
import re
import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from agentic_pipeline import __version__
from agentic_pipeline.generate.pool import Counts, Done, Job, ProgressFn, RecordFiles, RunnerConfig, fill
from agentic_pipeline.generate.trajectories import in_shard, order, split_count
from agentic_pipeline.jsonl import done_task_ids
from agentic_pipeline.layout import data_file, rejected_file
from agentic_pipeline.llm.dryrun import EpisodeShape
from agentic_pipeline.policies.base import Policy
from agentic_pipeline.policies.observe import clip, parse_tests
from agentic_pipeline.records import (
    REASONING_CATEGORIES,
    SCHEMA_VERSION,
    Outcome,
    ReasoningRecord,
)
from agentic_pipeline.sandbox import Limits, Sandbox
from agentic_pipeline.tasks.base import Task, apply_edit
from agentic_pipeline.tasks.catalog import candidates
from agentic_pipeline.tasks.facts import FixFacts
from agentic_pipeline.tasks.sources import CodeSource, all_sources
from agentic_pipeline.tasks.split import check_split, select_sources
from agentic_pipeline.tasks.validity import task_is_valid, usable_sources
from agentic_pipeline.teacher import Teacher, oracle_teacher

log = logging.getLogger(__name__)

TEACHER_CATEGORIES = ("architecture_decisions", "tradeoff_analysis")
TOPICS_DIR = Path(__file__).parent / "reasoning_topics"
CHECK_TIMEOUT_S = 30.0
EXCERPT_BEFORE, EXCERPT_AFTER = 12, 8
OUTPUT_LINES = 30
MIN_ANSWER_CHARS = 300

FRAMINGS = (
    "",
    "The team is three engineers and the first version must ship in six weeks.",
    "The system serves about 50 requests per second today and expects 10x growth within a year.",
    "The company is a regulated business: audits and data retention matter more than speed.",
    "The budget is tight: managed services are fine only if they stay cheap at low volume.",
    "On-call is one person per week; operational simplicity counts for a lot.",
    "Two teams will own different parts of it and deploy independently.",
    "Latency matters: the 99th percentile must stay under 200 ms.",
)

TEACHER_SYSTEM_PROMPT = """You are a senior software engineer who explains decisions by reasoning them through. \
For the question you are given: restate the constraints that matter, reason step by step (numbered steps) \
through the options and their consequences, including costs, risks and what would change your mind, and \
finish with a final section that starts with a line `Answer:` giving the decision or conclusion in a few \
sentences."""

PROBLEM_SYSTEM_PROMPT = "You are a careful software engineer. Reason step by step from the evidence to the cause, then give the fix."


def refusal_message(category: str, count: int) -> str:
    n = len(topics(category)) * len(FRAMINGS)
    return (
        f"{category}: not generated. It is free-text design reasoning with no verifier, so the offline oracle "
        f"cannot write it (offline, only problem_solving is produced: grounded in real failing test output, "
        f"its fix applied and verified). With --teacher anthropic:MODEL or openai:MODEL this command would write "
        f"{count} records from {len(topics(category))} shipped scenarios x {len(FRAMINGS)} framings "
        f"({n} distinct prompts, reasoning_topics/{category}.txt), each a numbered step-by-step analysis ending "
        f"with an `Answer:` section; --batch halves the price with Anthropic Message Batches."
    )


@dataclass(kw_only=True)
class ReasoningConfig(RunnerConfig):
    categories: list[str]
    backend: str = "bwrap"
    batch: bool = False
    poll_seconds: float = 30.0
    sources: list[CodeSource] | None = None  # problem_solving: None = every built-in source that passes
    max_items: int | None = None  # problem_solving: stop after trying this many tasks (a cap on attempts)


@dataclass
class ReasoningCounts(Counts):
    refused: str | None = None  # why a category was not generated (offline: the design categories)


# ``--dry-run``: one request per record, a ~1.5K-token prompt and a ~1.2K-token answer.
REQUEST_SHAPE = EpisodeShape(
    steps=1, first_prompt=1_500, last_prompt=1_500, output_per_step=1_200, shared_prefix=300
)


def record_id(item: str, teacher: str, seed: int) -> str:
    return "reason-" + hashlib.sha256(f"{item}\x00{teacher}\x00{seed}".encode()).hexdigest()[:20]


def _rng(*parts: Any) -> random.Random:
    return random.Random(int(hashlib.sha256("\x00".join(map(str, parts)).encode()).hexdigest()[:16], 16))


# ----------------------------------------------------------------------------- problem_solving (offline)


@dataclass
class Grounding:
    """What the sandbox showed for one debugging task."""

    task: Task
    path: str
    buggy: str
    fixed: str
    line: int
    old_line: str
    new_line: str
    output: str


def _changed_line(before: str, old: str, new: str) -> tuple[int, str, str]:
    start = before.index(old)
    first = before.count("\n", 0, start) + 1
    a, b = old.splitlines(), new.splitlines()
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return first + i, x, y
    i = min(len(a), len(b))
    return first + i, a[i] if i < len(a) else "", b[i] if i < len(b) else ""


def excerpt(text: str, line: int) -> tuple[int, str]:
    """(first line number, the lines around ``line`` numbered like ``cat -n``)."""
    lines = text.splitlines()
    lo, hi = max(1, line - EXCERPT_BEFORE), min(len(lines), line + EXCERPT_AFTER)
    return lo, "\n".join(f"{n:>4}  {lines[n - 1]}" for n in range(lo, hi + 1))


def unified_patch(path: str, before: str, after: str) -> str:
    diff = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{path}", f"b/{path}", n=2
    )
    return "".join(diff)


def _output_tail(output: str) -> str:
    lines = [ln for ln in output.rstrip().splitlines() if not ln.startswith("[exit code")]
    text = "\n".join(lines[-OUTPUT_LINES:])
    return text if len(text) <= 3000 else "...\n" + text[-3000:]


_USER_PHRASES = (
    "The tests of {what} fail and I can't see why. Here is the code in {path} around the function they "
    "exercise, and the output of `{cmd}`. What's wrong, and how do I fix it?\n\n```python\n{code}\n```\n\n"
    "```\n{out}\n```",
    "`{cmd}` fails after a recent change to {path}. Output:\n\n```\n{out}\n```\n\nThe code (line numbers "
    "from the file):\n\n```python\n{code}\n```\n\nCan you work out the cause and give me a patch?",
    "Can you debug this without running anything? {path} (excerpt):\n\n```python\n{code}\n```\n\nAnd the "
    "failing run of `{cmd}`:\n\n```\n{out}\n```\n\nExplain what goes wrong and how to fix it.",
    "I'm stuck on a failing test in {what}.\n\n```\n{out}\n```\n\nRelevant part of {path}:\n\n```python\n{code}"
    "\n```\n\nWhat is the bug? Please reason it through and propose the minimal fix.",
)

_WHY = {
    "compare_swap": "the comparison operator decides which side of a boundary a value falls on; with the wrong "
    "one, values at or across the boundary take the other branch",
    "arith_swap": "the arithmetic operator is the wrong one for this computation, so every result that flows "
    "through it is off",
    "off_by_one": "a bound or constant that is one off shifts the result by one element or one unit at the edge",
    "wrong_constant": "the literal has the wrong value, so the code computes with the wrong number or flag",
    "bool_swap": "`and` and `or` are mixed up, so the condition holds in cases it should not (or the reverse)",
    "negate_condition": "the condition is inverted, so the branch runs exactly when it should not",
    "remove_not": "the negation is missing, so the test is the wrong way round",
    "swap_args": "two arguments are passed in the wrong order, so the callee gets each value in the other's role",
    "wrong_variable": "it reads a different variable than the one the computation is about",
    "slice_shift": "the slice bound is shifted, so it takes the wrong part of the sequence",
    "drop_statement": "a statement the function needs was lost, so its effect never happens",
    "drop_branch": "a branch the function needs was lost, so that case is never handled",
}


def first_error(output: str) -> str | None:
    """The first error line a reader would quote: pytest's ``E`` lines, else an exception line."""
    for m in re.finditer(r"^E[ \t]+(\S.*)$", output, re.M):
        return m.group(1).strip()
    m = re.search(r"^(\w+(?:Error|Exception)\b.*|AssertionError.*)$", output, re.M)
    return m.group(1).strip() if m else None


def _evidence_steps(g: Grounding, rng: random.Random) -> list[str]:
    t, f = g.task, g.task.solution.facts_as(FixFacts)
    shown = _output_tail(g.output)  # the answer cites only what the user's message shows of the run
    rep = parse_tests(shown)
    rep.error = first_error(shown)
    steps = []
    if rep.failed:
        names = ", ".join(f"`{n}`" for n in rep.failed[:3]) + (" and others" if len(rep.failed) > 3 else "")
        steps.append(
            rng.choice(
                (
                    "What the output shows: {names} fail{err}.",
                    "Start from the evidence. The failing test(s): {names}{err}.",
                )
            ).format(names=names, err=f", with `{clip(rep.error, 140)}`" if rep.error else "")
        )
    else:
        steps.append(
            f"What the output shows: `{t.check_cmd}` fails ({rep.summary or 'non-zero exit'})"
            + (f" and reports `{clip(rep.error, 140)}`." if rep.error else ".")
        )
    frames = rep.frames_in(g.path)
    func = f.function
    if frames:
        fpath, fline, fname = frames[-1]
        steps.append(
            f"The traceback's innermost frame in the code under test is {g.path} line {fline}"
            + (f" in `{fname}`" if fname else "")
            + ", so that is where to look first."
        )
    elif func:
        steps.append(
            f"The traceback stays in the tests: they only show the symptom. The code path they exercise goes "
            f"through `{func}` in {g.path}, the excerpt above."
        )
    return steps


def problem_answer(g: Grounding, rng: random.Random) -> str:
    """Step-by-step reasoning from the real output to the known cause, then the fix as a patch."""
    op = g.task.meta.get("operator", "")
    steps = _evidence_steps(g, rng)
    if op in ("drop_statement", "drop_branch"):
        added = [ln.strip() for ln in g.fixed.splitlines() if ln not in g.buggy.splitlines()]
        steps.append(
            f"Reading the code before line {g.line}: nothing does `{clip(' / '.join(added), 140)}`. "
            f"Without it, {_WHY[op]}."
        )
        steps.append("That matches the failure: the value the test checks is never updated on that path.")
        fix = f"Restore `{clip(' / '.join(added), 140)}` before line {g.line}."
    else:
        why = _WHY.get(op, "this line computes the wrong thing")
        steps.append(f"Line {g.line} reads `{clip(g.old_line.strip(), 140)}`. The likely problem: {why}.")
        shown = _output_tail(g.output)
        error = first_error(shown)
        raised_here = any(line == g.line for _, line, _ in parse_tests(shown).frames_in(g.path))
        if raised_here and error:
            steps.append(
                f"That fits the output: `{clip(error, 120)}` is raised on this very line, which is what this "
                "mistake does with the values the test passes in."
            )
        else:
            steps.append(
                rng.choice(
                    (
                        "Checking that against the symptom: the tests get a result that differs from what they "
                        "expect for exactly the inputs that go through this line, which is what this mistake produces.",
                        "This explains the failure: the inputs the failing test uses go through this line, and with "
                        "this mistake they come out wrong while the other tests are unaffected.",
                    )
                )
            )
        fix = f"Line {g.line} should read `{clip(g.new_line.strip(), 140)}`."
    body = "\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1))
    patch = unified_patch(g.path, g.buggy, g.fixed)
    closing = rng.choice(
        (
            "Apply it and re-run `{cmd}`: the failing tests should pass, and nothing else changes.",
            "After this change `{cmd}` should be green again; the tests themselves need no edit.",
        )
    ).format(cmd=g.task.check_cmd)
    return f"{body}\n\nAnswer: {fix} The fix:\n\n```diff\n{patch}```\n\n{closing}"


async def ground(task: Task, backend: str) -> Grounding | None:
    """Materialize the bug, run its check for real; None if the tests don't fail."""
    edit = task.solution.edits[0]
    with tempfile.TemporaryDirectory(prefix="agentic-reason-") as tmp:
        ws = task.materialize(Path(tmp) / "ws")
        result = await Sandbox(ws, Limits(timeout_s=CHECK_TIMEOUT_S), backend=backend, venv=task.env).arun(
            task.check_cmd
        )
    if result.exit_code == 0 or result.timed_out:
        return None
    buggy = task.start_text(edit.path)
    line, old_line, new_line = _changed_line(buggy, edit.old, edit.new)
    fixed = apply_edit(buggy, edit)
    return Grounding(task, edit.path, buggy, fixed, line, old_line, new_line, result.output)


async def check_patch(task: Task, patch: str, backend: str) -> tuple[bool, str]:
    """Apply ``patch`` with ``patch -p1`` to a fresh copy of the buggy workspace and run the tests."""
    with tempfile.TemporaryDirectory(prefix="agentic-reason-fix-") as tmp:
        ws = task.materialize(Path(tmp) / "ws")
        (ws / ".fix.diff").write_text(patch)
        sandbox = Sandbox(ws, Limits(timeout_s=CHECK_TIMEOUT_S), backend=backend, venv=task.env)
        applied = await sandbox.arun("patch -p1 --no-backup-if-mismatch < .fix.diff && rm .fix.diff")
        if applied.exit_code != 0:
            return False, f"the patch does not apply: {clip(applied.output, 300)}"
        result = await sandbox.arun(task.check_cmd)
    summary = parse_tests(result.output).summary or f"exit code {result.exit_code}"
    return result.exit_code == 0, summary


def problem_record(g: Grounding, seed: int, after: str) -> ReasoningRecord:
    t = g.task
    rng = _rng(t.id, seed, "reasoning")
    first, code = excerpt(g.buggy, g.line)
    what = t.source.split(":", 1)[1]
    user = rng.choice(_USER_PHRASES).format(
        what=f"the {what} project" if t.source.startswith("project:") else f"`{what}`",
        path=g.path,
        cmd=t.check_cmd,
        code=code,
        out=_output_tail(g.output),
    )
    messages = [{"role": "user", "content": user}, {"role": "assistant", "content": problem_answer(g, rng)}]
    if rng.random() < 0.5:
        messages.insert(0, {"role": "system", "content": PROBLEM_SYSTEM_PROMPT})
    before = parse_tests(g.output)
    evidence = {
        "test_cmd": t.check_cmd,
        "before": {"exit_code": before.exit_code, "summary": before.summary, "failed": before.failed[:10]},
        "after_patch": {"exit_code": 0, "summary": after},
        "patch_applied_with": "patch -p1",
        "excerpt_lines": [first, first + code.count("\n")],
    }
    return ReasoningRecord(
        id=record_id(t.id, "oracle", seed),
        category="problem_solving",
        messages=messages,
        outcome=Outcome(verified=True, verifier="tests", detail=f"after the patch: {after}"),
        metadata={
            "schema_version": SCHEMA_VERSION,
            "teacher": "oracle",
            "task_id": t.id,
            "source": t.source,
            "operator": t.meta.get("operator"),
            "evidence": evidence,
            "package_version": __version__,
            "seed": seed,
        },
    )


TEACHER_PROBLEM_SYSTEM_PROMPT = (
    "You are a careful software engineer. Reason step by step (numbered steps) from what the output shows to "
    "the cause, then finish with a section that starts with a line `Answer:` naming the bug and giving the fix "
    "as a unified diff in a ```diff block, with paths a/<file> and b/<file> relative to the repository root."
)


def diff_in(text: str) -> str | None:
    """The unified diff of the last ```diff block of an answer, or None."""
    blocks = re.findall(r"```(?:diff|patch)\n(.*?)```", text, re.S)
    return blocks[-1] if blocks and "@@" in blocks[-1] else None


async def problem_solving_item(
    task: Task, seed: int, backend: str, policy: Policy | None = None
) -> tuple[ReasoningRecord | None, str]:
    """(record, "") when grounded and verified; (record, why) when rejected; (None, "invalid") for no record.

    With ``policy`` (an LLM teacher) the answer is the teacher's, to the same grounded prompt; its own
    diff must apply and make the tests pass."""
    g = await ground(task, backend)
    if g is None:
        return None, "invalid"
    record = problem_record(g, seed, "")
    patch = unified_patch(g.path, g.buggy, g.fixed)
    if policy is not None:
        messages = [
            {"role": "system", "content": TEACHER_PROBLEM_SYSTEM_PROMPT},
            record.messages[-2].model_dump(),
        ]
        response = await policy.act(
            [{k: v for k, v in m.items() if v is not None} for m in messages], [], None
        )
        text = (response.message.get("content") or "").strip() or "(empty)"
        record = ReasoningRecord(
            id=record_id(task.id, policy.name, seed),
            category="problem_solving",
            messages=[*messages, {"role": "assistant", "content": text}],
            metadata={
                **record.metadata.model_dump(),
                "teacher": policy.name,
                "usage": response.usage.as_dict(),
            },
        )
        patch = diff_in(text)
        problem = answer_problem(text) or (
            None if patch else "no ```diff block with a unified diff in the answer"
        )
        if problem:
            record.outcome = Outcome(verified=False, verifier="tests", detail=problem)
            return record, problem
    ok, after = await check_patch(task, patch, backend)
    record.metadata.evidence["after_patch"] = {"exit_code": 0 if ok else 1, "summary": after}  # type: ignore[attr-defined]
    record.outcome = Outcome(verified=ok, verifier="tests", detail=f"after the patch: {after}")
    return record, "" if ok else f"the fix does not make the tests pass: {after}"


# ----------------------------------------------------------------------------- teacher categories


def topics(category: str) -> list[str]:
    """The shipped scenarios of a teacher category, one per line (``#`` comments and blanks skipped)."""
    text = (TOPICS_DIR / f"{category}.txt").read_text()
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


_TOPIC_PHRASES = {
    "architecture_decisions": (
        "We need to {topic}. {framing}Which would you choose, and why?",
        "Architecture question: {topic}. {framing}Walk me through the decision.",
        "Help me decide: {topic}. {framing}What do you recommend?",
    ),
    "tradeoff_analysis": (
        "What are the trade-offs when we {topic}? {framing}Where would you land?",
        "Trade-off analysis: {topic}. {framing}Reason through the costs and benefits.",
        "I'm weighing this: {topic}. {framing}How should I think about it?",
    ),
}


@dataclass
class TopicItem:
    key: str
    category: str
    messages: list[dict[str, Any]]


def topic_items(category: str, seed: int) -> list[TopicItem]:
    """Every (scenario, framing) pair of a category, each with a seeded phrasing."""
    out = []
    for topic in topics(category):
        for framing in FRAMINGS:
            key = f"{category}:" + hashlib.sha256(f"{topic}\x00{framing}".encode()).hexdigest()[:16]
            rng = _rng(key, seed)
            user = rng.choice(_TOPIC_PHRASES[category]).format(
                topic=topic[0].lower() + topic[1:], framing=f"{framing} " if framing else ""
            )
            messages = [
                {"role": "system", "content": TEACHER_SYSTEM_PROMPT},
                {"role": "user", "content": user},
            ]
            out.append(TopicItem(key, category, messages))
    return out


def answer_problem(text: str) -> str | None:
    """Why a teacher's answer is not a reasoning record (None: it is)."""
    text = text.strip()
    if len(text) < MIN_ANSWER_CHARS:
        return f"answer too short ({len(text)} chars, need {MIN_ANSWER_CHARS})"
    m = re.search(r"^\W*Answer\W*:?", text, re.M | re.I)
    if m is None:
        return "no final `Answer:` section"
    if len(text[: m.start()].strip()) < MIN_ANSWER_CHARS // 2:
        return "no reasoning before the answer"
    if not text[m.end() :].strip():
        return "the `Answer:` section is empty"
    return None


def teacher_record(
    item: TopicItem, text: str, teacher: str, seed: int, usage: dict[str, Any]
) -> ReasoningRecord:
    return ReasoningRecord(
        id=record_id(item.key, teacher, seed),
        category=item.category,  # type: ignore[arg-type]
        messages=[*item.messages, {"role": "assistant", "content": text.strip() or "(empty)"}],
        metadata={
            "schema_version": SCHEMA_VERSION,
            "teacher": teacher,
            "task_id": item.key,
            "source": f"reasoning_topics/{item.category}.txt",
            "usage": usage,
            "package_version": __version__,
            "seed": seed,
        },
    )


def _text_of_anthropic(message: dict[str, Any]) -> str:
    return "\n".join(b.get("text", "") for b in message.get("content") or [] if b.get("type") == "text")


# ----------------------------------------------------------------------------- the runs


def _files(
    config: ReasoningConfig, category: str, target: int
) -> tuple[RecordFiles, set[str], ReasoningCounts]:
    """The category's kept and rejected files, the items they settle, and its counts so far."""
    files = RecordFiles(
        data_file(config.out, "reasoning", category), rejected_file(config.out, category, kind="reasoning")
    )
    kept = done_task_ids(files.kept_path)
    done = set(kept) | set(done_task_ids(files.rejected_path))
    return files, done, ReasoningCounts(category, target, kept=len(kept))


async def _problem_solving(
    config: ReasoningConfig, teacher: Teacher, target: int, progress: ProgressFn | None
) -> ReasoningCounts:
    files, done, counts = _files(config, "problem_solving", target)
    if counts.reached():
        return counts
    if config.sources is not None:
        sources = select_sources(config.sources, config.split)
    else:
        sources = await usable_sources(select_sources(all_sources(), config.split), config.backend)
    tasks = order(candidates("debugging", sources, standalone=False), config.seed, config.shard)
    config.executor.require_paths(t.base for t in tasks)
    policy = config.executor.policy(teacher) if teacher.paid else None

    def write(result: tuple[ReasoningRecord | None, str]) -> Done | None:
        record, why = result
        return None if record is None else files.write(record, why)

    jobs = (
        Job(
            t.id,
            partial(problem_solving_item, t, config.seed, config.backend, policy),  # here or on a Ray node
            partial(task_is_valid, t, config.backend),
            write=write,
        )
        for t in tasks
        if t.id not in done
    )
    with files:
        await fill(
            counts,
            jobs,
            workers=config.workers,
            teacher=teacher,
            max_attempts=config.max_items,
            progress=progress,
            executor=config.executor,
        )
    return counts


async def _teacher_category(
    config: ReasoningConfig, teacher: Teacher, category: str, target: int, progress: ProgressFn | None
) -> ReasoningCounts:
    files, done, counts = _files(config, category, target)
    items = [
        i for i in topic_items(category, config.seed) if in_shard(i.key, config.shard) and i.key not in done
    ]
    items.sort(key=lambda i: hashlib.sha256(f"{config.seed}\x00{i.key}".encode()).hexdigest())
    if counts.reached() or not items:
        counts.exhausted = not counts.reached()
        return counts
    policy = teacher.policy()
    with files:
        if config.batch:
            await _by_batch(config, teacher, policy, items[: target - counts.kept], files, counts, progress)
        else:

            async def live(item: TopicItem) -> Done:
                response = await policy.act(item.messages, [], None)
                return _finish(
                    config,
                    teacher,
                    files,
                    item,
                    response.message.get("content") or "",
                    response.usage.as_dict(),
                )

            jobs = (Job(i.key, partial(live, i)) for i in items)
            await fill(counts, jobs, workers=config.workers, teacher=teacher, progress=progress)
    return counts


def _finish(
    config: ReasoningConfig,
    teacher: Teacher,
    files: RecordFiles,
    item: TopicItem,
    text: str,
    usage: dict[str, Any],
) -> Done:
    record = teacher_record(item, text, teacher.name, config.seed, usage)
    return files.write(record, answer_problem(text) or "")


async def _by_batch(
    config: ReasoningConfig,
    teacher: Teacher,
    policy: Policy,
    todo: list[TopicItem],
    files: RecordFiles,
    counts: ReasoningCounts,
    progress: ProgressFn | None,
) -> None:
    """Message Batches: the whole category in one batch (its cost booked per result in the ledger)."""
    from agentic_pipeline.llm.batch import run_batch

    if teacher.config.kind != "anthropic" or teacher.ledger is None:
        raise ValueError("--batch needs an anthropic:MODEL teacher (Message Batches is Anthropic's API)")
    requests = {}
    for item in todo:
        params = policy.request(item.messages, [])  # type: ignore[attr-defined]
        params.pop("model")
        requests[item.key.replace(":", "-")] = params
    outcome = await run_batch(
        policy.client,  # type: ignore[attr-defined]
        teacher.ledger,
        f"reasoning-{counts.name}",
        policy.model,  # type: ignore[attr-defined]
        requests,
        poll_seconds=config.poll_seconds,
    )
    for item in todo:
        message = outcome.results.get(item.key.replace(":", "-"))
        if message is None:
            counts.errors += 1
            continue
        done = _finish(config, teacher, files, item, _text_of_anthropic(message), message.get("usage") or {})
        counts.kept, counts.new_kept = counts.kept + done.kept, counts.new_kept + done.kept
        counts.rejected += not done.kept
        teacher.episode_written(item.key, done.record_id, done.kept)
        if progress:
            progress(counts)
    counts.exhausted = not counts.reached()


async def generate_reasoning(
    config: ReasoningConfig, teacher: Teacher | None = None, progress: ProgressFn | None = None
) -> list[ReasoningCounts]:
    """Up to ``config.count`` records (split over the categories) from ``teacher`` (default: the
    oracle); a refused category says why."""
    teacher = teacher or oracle_teacher(config.seed)
    check_split(config.split)
    for c in config.categories:
        if c not in REASONING_CATEGORIES:
            raise ValueError(
                f"unknown category {c!r}; expected one of {', '.join(REASONING_CATEGORIES)} or all"
            )
    results = []
    for category, target in split_count(config.count, config.categories).items():
        if category == "problem_solving":
            results.append(await _problem_solving(config, teacher, target, progress))
        elif not teacher.paid:
            results.append(ReasoningCounts(category, target, refused=refusal_message(category, target)))
        else:
            results.append(await _teacher_category(config, teacher, category, target, progress))
    return results
