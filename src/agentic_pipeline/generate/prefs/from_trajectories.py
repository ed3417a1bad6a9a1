"""Preference pairs from episodes the trajectory runner already recorded on the same task.

- code_quality: a verified episode (``DATA_DIR/trajectories/<family>_tasks.jsonl``) against a failed
  one (``DATA_DIR/rejected/trajectories/<family>.jsonl``) of the same task and the same prompt; the
  evidence is both verifier outcomes.
- efficiency: two verified episodes of the same task and prompt that differ in the number of tool
  calls; the one with fewer is chosen (tokens recorded too).

The prompt is everything before the first assistant turn (system + user), which both episodes share;
chosen and rejected are the rest of each episode as it was recorded, every observation real. An
episode that does not end with a plain assistant answer (it hit a step or time limit mid-call) is
skipped: a pair must not end on an unanswered call, and nothing is made up to close it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentic_pipeline.generate.prefs.judge import MARGIN_DEFINITIONS
from agentic_pipeline.jsonl import whole_lines
from agentic_pipeline.layout import data_file, rejected_file
from agentic_pipeline.records import SCHEMA_VERSION, TRAJECTORY_CATEGORIES, PreferenceRecord

log = logging.getLogger(__name__)


@dataclass
class Episode:
    record: dict[str, Any]
    prompt: list[dict[str, Any]]
    continuation: list[dict[str, Any]]

    @property
    def tool_calls(self) -> int:
        return sum(len(m.get("tool_calls") or []) for m in self.continuation)

    @property
    def output_tokens(self) -> int | None:
        usage = (self.record.get("metadata") or {}).get("usage") or {}
        return usage.get("output_tokens") or None

    @property
    def verified(self) -> bool:
        return bool((self.record.get("outcome") or {}).get("verified"))


def _read(path: Path) -> Iterator[dict[str, Any]]:
    for n, raw in whole_lines(path):  # stops at a torn tail from a killed writer
        try:
            yield json.loads(raw)
        except json.JSONDecodeError:
            log.warning("%s:%d: not JSON, skipped", path, n)


def _episode(record: dict[str, Any]) -> Episode | None:
    messages = record.get("messages") or []
    first = next((i for i, m in enumerate(messages) if m.get("role") == "assistant"), None)
    if first is None or first == 0:
        return None
    rest = messages[first:]
    last = rest[-1]
    if last.get("role") != "assistant" or last.get("tool_calls") or not (last.get("content") or "").strip():
        return None
    return Episode(record, messages[:first], rest)


def load_episodes(data_dir: Path) -> tuple[dict[str, list[Episode]], int]:
    """Episodes by task id (verified and failed together) and how many were skipped as unusable."""
    by_task: dict[str, list[Episode]] = defaultdict(list)
    skipped = 0
    for family in TRAJECTORY_CATEGORIES:
        paths = [
            data_file(data_dir, "trajectory", family),
            rejected_file(data_dir, family),
        ]
        for path in paths:
            for record in _read(path):
                episode = _episode(record)
                task = (record.get("metadata") or {}).get("task_id")
                if episode is None or not task:
                    skipped += 1
                    continue
                by_task[task].append(episode)
    return by_task, skipped


def _side(e: Episode) -> dict[str, Any]:
    meta = e.record.get("metadata") or {}
    return {
        "episode": e.record.get("id"),
        "teacher": meta.get("teacher"),
        "outcome": e.record.get("outcome"),
        "rejected_reason": meta.get("rejected_reason"),
        "tool_calls": e.tool_calls,
        "output_tokens": e.output_tokens,
        "steps": meta.get("steps"),
    }


def _record(
    category: str, task: str, chosen: Episode, rejected: Episode, evidence: dict[str, Any]
) -> PreferenceRecord:
    digest = hashlib.sha256(f"{chosen.record.get('id')}>{rejected.record.get('id')}".encode()).hexdigest()[
        :16
    ]
    tools = chosen.record.get("tools") or rejected.record.get("tools") or []
    return PreferenceRecord(
        id=f"pref-{category}-traj-{digest}",
        category=category,
        tools=tools,
        prompt=chosen.prompt,
        chosen=chosen.continuation,
        rejected=rejected.continuation,
        metadata={
            "schema_version": SCHEMA_VERSION,
            "teacher": (chosen.record.get("metadata") or {}).get("teacher"),
            "task_id": task,
            "source": "trajectories",
            "evidence": evidence,
        },
    )


def outcome_pairs(by_task: dict[str, list[Episode]]) -> Iterator[PreferenceRecord]:
    """code_quality: each verified episode against each failed one with the same prompt."""
    for task in sorted(by_task):
        episodes = sorted(by_task[task], key=lambda e: str(e.record.get("id")))
        for good in (e for e in episodes if e.verified):
            for bad in (e for e in episodes if not e.verified and e.prompt == good.prompt):
                evidence = {"measure": "trajectory_outcome", "margin": 1.0, "threshold": 1.0,
                            "margin_definition": MARGIN_DEFINITIONS["trajectory_outcome"],
                            "chosen": _side(good), "rejected": _side(bad)}  # fmt: skip
                yield _record("code_quality", task, good, bad, evidence)


def step_pairs(
    by_task: dict[str, list[Episode]], threshold: float, dropped: dict[str, int]
) -> Iterator[PreferenceRecord]:
    """efficiency: two verified episodes of one task; fewer tool calls wins by at least ``threshold``."""
    for task in sorted(by_task):
        verified = sorted((e for e in by_task[task] if e.verified), key=lambda e: str(e.record.get("id")))
        for i, a in enumerate(verified):
            for b in verified[i + 1 :]:
                if a.prompt != b.prompt:
                    continue
                chosen, rejected = (a, b) if a.tool_calls <= b.tool_calls else (b, a)
                margin = float(rejected.tool_calls - chosen.tool_calls)
                if margin == 0 or margin < threshold:
                    reason = "tie" if margin == 0 else "margin under threshold"
                    dropped[reason] = dropped.get(reason, 0) + 1
                    continue
                evidence = {"measure": "trajectory_steps", "margin": margin, "threshold": threshold,
                            "margin_definition": MARGIN_DEFINITIONS["trajectory_steps"],
                            "chosen": _side(chosen), "rejected": _side(rejected)}  # fmt: skip
                yield _record("efficiency", task, chosen, rejected, evidence)
