"""``--expand``: rewrite "How do I X?" examples into the agentic form with an LLM teacher.

A converted single-turn record whose user turn is a how-to question ("How do I X?", "How can I X?",
"How to X?") is sent, with its reference answer, to the teacher, which returns a direct instruction
("Do X") and an answer that reasons before it acts. The expanded record is added beside the original
(``metadata.expanded_from`` names it); the original stays, it is the user's own knowledge.

The teacher is an OpenAI-compatible chat endpoint (OpenAI, vLLM, SGLang, Ollama...) reached with
the official ``openai`` SDK. Nothing is expanded without one: the offline oracle can't write free
text, and this module says so instead of producing made-up rewrites. Answers are cached per domain
under ``<output>/../.cache/expand/`` so that a rerun after a crash never pays twice.

What this does not do: execute the task in the sandbox. A how-to question carries no workspace or
verifier, so an expanded record is single-turn reasoning, not a verified trajectory.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from agentic_pipeline.records import SCHEMA_VERSION

QUESTION = re.compile(
    r"^\s*(?:how\s+(?:do|can|could|should|would|might)\s+(?:i|we|you|one)|how\s+to)\b", re.I
)

SYSTEM_PROMPT = """You turn a how-to question into an example for training an agent.
Given a question ("How do I X?") and a reference answer, reply with one JSON object and nothing else:
{"instruction": "<the question rewritten as a direct imperative request, e.g. 'Do X'>",
 "reasoning": "<how to approach the task, step by step, before acting>",
 "answer": "<the answer that carries out the instruction, consistent with the reference answer>"}"""

NO_TEACHER = (
    '--expand rewrites "How do I X?" examples into a "Do X" instruction answered with reasoning, by '
    "asking an LLM teacher for each one. No LLM teacher is configured (the offline oracle can't write "
    "free text), so nothing will be expanded: the data is converted as it is. To expand, pass "
    "--teacher openai:MODEL with --base-url (or OPENAI_BASE_URL) and OPENAI_API_KEY."
)


class ExpandError(Exception):
    """A problem with the expansion set-up or the teacher; the message is for people."""


@dataclass
class ExpansionPlan:
    teacher: str | None = None
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = None
    message: str | None = None
    concurrency: int = 8


def expansion_plan(expand: bool, teacher: str | None, base_url: str | None) -> ExpansionPlan:
    """What ``--expand``/``--teacher`` will do, with the message to show (raises ExpandError on misuse)."""
    if not expand:
        note = "--teacher has no effect without --expand." if teacher else None
        return ExpansionPlan(message=note)
    if teacher is None or teacher == "oracle":
        return ExpansionPlan(message=NO_TEACHER)
    provider, _, model = teacher.partition(":")
    if provider != "openai" or not model:
        raise ExpandError(
            f"--teacher {teacher!r}: --expand talks to an OpenAI-compatible endpoint; use --teacher openai:MODEL"
        )
    base_url = base_url or os.environ.get("OPENAI_BASE_URL")
    api_key = os.environ.get("OPENAI_API_KEY")
    if not api_key:
        if not base_url:
            raise ExpandError(
                "--teacher openai:MODEL needs OPENAI_API_KEY (or --base-url for a local server)"
            )
        api_key = "not-needed"  # local servers (vLLM, Ollama) accept any key
    return ExpansionPlan(teacher=f"openai:{model}", model=model, base_url=base_url, api_key=api_key)


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


def parse_reply(content: str | None) -> tuple[str, str, str]:
    """The teacher's JSON object (code fences and text around it tolerated), or ExpandError."""
    match = re.search(r"\{.*\}", content or "", re.S)
    if not match:
        raise ExpandError("teacher reply holds no JSON object")
    try:
        obj = orjson.loads(match.group(0))
    except orjson.JSONDecodeError as exc:
        raise ExpandError(f"teacher reply is not valid JSON ({exc})") from None
    fields = []
    for key in ("instruction", "reasoning", "answer"):
        value = obj.get(key) if isinstance(obj, dict) else None
        if not isinstance(value, str) or not value.strip():
            raise ExpandError(f"teacher reply has no non-empty {key!r}")
        fields.append(value.strip())
    return fields[0], fields[1], fields[2]


class Teacher:
    """One OpenAI-compatible chat model, called through the official SDK."""

    def __init__(self, plan: ExpansionPlan) -> None:
        from openai import OpenAI

        self.model = plan.model
        self.client = OpenAI(base_url=plan.base_url, api_key=plan.api_key, max_retries=3, timeout=120)

    def expand(self, question: str, reference: str) -> Expansion:
        import openai

        try:
            reply = self.client.chat.completions.create(
                model=self.model,
                temperature=0,
                messages=[
                    {"role": "system", "content": SYSTEM_PROMPT},
                    {"role": "user", "content": f"Question:\n{question}\n\nReference answer:\n{reference}"},
                ],
            )
        except openai.APIError as exc:
            raise ExpandError(f"teacher request failed: {exc}") from None
        if not reply.choices:
            raise ExpandError("teacher reply has no choices")
        instruction, reasoning, answer = parse_reply(reply.choices[0].message.content)
        usage = reply.usage
        tokens = {
            "requests": 1,
            "input_tokens": usage.prompt_tokens if usage else 0,
            "output_tokens": usage.completion_tokens if usage else 0,
        }
        return Expansion(instruction, reasoning, answer, tokens)


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
    """Teacher answers already paid for, keyed by model + question + reference, appended as they come."""

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
        return hashlib.blake2b(orjson.dumps([model, question, reference]), digest_size=16).hexdigest()

    def put(self, key: str, exp: Expansion) -> None:
        entry = {"key": key, **exp.__dict__}
        self.entries[key] = entry
        self._file.write(orjson.dumps(entry) + b"\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def _expand_one(teacher: Teacher, cache: Cache, record: dict[str, Any]) -> Expansion | str:
    turns = [m for m in record["messages"] if m["role"] != "system"]
    key = Cache.key(teacher.model or "", turns[0]["content"], turns[1]["content"])
    hit = cache.entries.get(key)
    if hit is not None:
        return Expansion(hit["instruction"], hit["reasoning"], hit["answer"], hit["usage"])
    try:
        exp = teacher.expand(turns[0]["content"], turns[1]["content"])
    except ExpandError as exc:
        return str(exc)
    cache.put(key, exp)
    return exp


def expand_file(path: Path, plan: ExpansionPlan, teacher: Teacher, rejects: Path) -> tuple[int, int, int]:
    """Add expanded records to one domain file; returns (candidates, expanded, failed)."""
    records = [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
    candidates = [r for r in records if is_candidate(r)]
    if not candidates:
        return 0, 0, 0
    cache = Cache(path.parent.parent / ".cache" / "expand" / path.name)
    try:
        with ThreadPoolExecutor(plan.concurrency) as pool:
            results = list(pool.map(lambda r: _expand_one(teacher, cache, r), candidates))
    finally:
        cache.close()
    new, failed = [], []
    for record, result in zip(candidates, results, strict=True):
        if isinstance(result, str):
            meta = record["metadata"]
            failed.append(
                {
                    "file": meta.get("source"),
                    "line": meta.get("line"),
                    "reason": f"expansion: {result}",
                    "raw": "",
                }
            )
        else:
            new.append(expanded_record(record, result, plan.teacher or ""))
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records + new))
    os.replace(tmp, path)
    if failed:
        rejects.parent.mkdir(parents=True, exist_ok=True)
        with rejects.open("ab") as f:
            f.write(b"".join(orjson.dumps(r) + b"\n" for r in failed))
    return len(candidates), len(new), len(failed)


def run_expansion(plan: ExpansionPlan, outputs: list[Path], output: Path) -> Iterator[str]:
    """Expand every converted domain file; yields one line per file for the CLI to print."""
    teacher = Teacher(plan)
    rejects = output / "rejected" / "convert.jsonl"
    for path in outputs:
        if path.parent.resolve() != output.resolve():
            continue  # preference files are not expanded
        candidates, expanded, failed = expand_file(path, plan, teacher, rejects)
        line = f"{path}: {expanded} of {candidates} how-to examples expanded with {plan.teacher}"
        yield line + (f"; {failed} failed (reasons in {rejects})" if failed else "")
