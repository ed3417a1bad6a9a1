"""A teacher's task spec for an executable how-to, parsed strictly, and the ``Task`` it becomes.

When ``--expand`` asks a teacher about "How do I X?", the teacher may say the task can be carried
out in the sandbox and describe it: a concrete instruction, the starting files and a shell command
that exits 0 only once the task is done. That text comes from a model, so nothing in it is trusted:
``parse_spec`` checks every field (relative paths only, no ``..``, size caps, a non-empty check)
and raises ``SpecError`` with the reason otherwise. ``build_task`` turns a spec into a ``Task`` whose
verifier holds the check as a ``command`` check (outside the workspace, so the agent cannot edit it)
and pins the files the spec marks as ``pinned`` (tests the check runs), so editing them gains nothing.
The task id is a hash of the spec: the same spec is the same task, which is what resume keys on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from agentic_pipeline.records import TRAJECTORY_CATEGORIES
from agentic_pipeline.tasks.base import Check, Solution, Task, Verifier, task_id

MAX_FILES = 20
MAX_FILE_CHARS = 32_000
MAX_TOTAL_CHARS = 128_000
MAX_PATH_CHARS = 200
MAX_CHECK_CHARS = 2_000
MAX_INSTRUCTION_CHARS = 4_000
SPEC_KEYS = {"instruction", "category", "files", "check", "pinned"}


class SpecError(ValueError):
    """The spec can't become a task; the message says which field and why."""


@dataclass
class TaskSpec:
    instruction: str
    check: str
    files: dict[str, str] = field(default_factory=dict)
    pinned: list[str] = field(default_factory=list)
    category: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "instruction": self.instruction,
            "check": self.check,
            "files": self.files,
            "pinned": self.pinned,
            "category": self.category,
        }


def _text(obj: dict[str, Any], key: str, limit: int) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SpecError(f"{key!r} must be a non-empty string")
    if len(value) > limit:
        raise SpecError(f"{key!r} is {len(value)} characters, more than {limit}")
    if "\x00" in value:
        raise SpecError(f"{key!r} holds a NUL character")
    return value.strip()


def check_path(path: Any) -> str:
    """``path`` if it is a plain relative path inside the workspace, else SpecError."""
    if not isinstance(path, str) or not path.strip():
        raise SpecError("a file path must be a non-empty string")
    if len(path) > MAX_PATH_CHARS or "\x00" in path or "\\" in path:
        raise SpecError(f"file path {path[:80]!r}: too long, or holds a NUL or a backslash")
    pure = PurePosixPath(path)
    if pure.is_absolute() or path.startswith("~"):
        raise SpecError(f"file path {path!r} is absolute; only paths relative to the workspace are allowed")
    parts = path.split("/")
    if ".." in parts:
        raise SpecError(f"file path {path!r} leaves the workspace (..)")
    if any(p in ("", ".") for p in parts):
        raise SpecError(f"file path {path!r} has an empty or '.' part")
    return path


def _files(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise SpecError("'files' must be an object mapping relative paths to file contents")
    if len(raw) > MAX_FILES:
        raise SpecError(f"'files' holds {len(raw)} files, more than {MAX_FILES}")
    files: dict[str, str] = {}
    for path, content in raw.items():
        check_path(path)
        if not isinstance(content, str):
            raise SpecError(f"the content of {path!r} must be a string")
        if len(content) > MAX_FILE_CHARS:
            raise SpecError(f"{path!r} is {len(content)} characters, more than {MAX_FILE_CHARS}")
        files[path] = content
    if sum(len(c) for c in files.values()) > MAX_TOTAL_CHARS:
        raise SpecError(f"the files hold more than {MAX_TOTAL_CHARS} characters in all")
    for path in files:  # "a" and "a/b" can't both be files
        for parent in PurePosixPath(path).parents:
            if str(parent) in files:
                raise SpecError(f"{parent} is both a file and the folder of {path}")
    return files


def parse_spec(raw: Any) -> TaskSpec:
    """The teacher's ``task`` object as a ``TaskSpec``, or SpecError naming what is wrong."""
    if not isinstance(raw, dict):
        raise SpecError(f"'task' must be an object, got {type(raw).__name__}")
    unknown = sorted(set(raw) - SPEC_KEYS)
    if unknown:
        raise SpecError(f"unexpected keys {', '.join(map(repr, unknown))}; expected {sorted(SPEC_KEYS)}")
    instruction = _text(raw, "instruction", MAX_INSTRUCTION_CHARS)
    check = _text(raw, "check", MAX_CHECK_CHARS)
    files = _files(raw.get("files"))
    pinned = raw.get("pinned") or []
    if not isinstance(pinned, list) or any(not isinstance(p, str) or p not in files for p in pinned):
        raise SpecError("'pinned' must list paths that are in 'files'")
    category = raw.get("category")
    if category is not None and category not in TRAJECTORY_CATEGORIES:
        raise SpecError(f"'category' {category!r} is not one of {', '.join(TRAJECTORY_CATEGORIES)}")
    return TaskSpec(instruction, check, files, sorted(set(pinned)), category)


def family_of(spec: TaskSpec) -> str:
    """The teacher's category when it gave one; else coding for Python work, devops for the rest."""
    if spec.category:
        return spec.category
    python = any(p.endswith(".py") for p in spec.files) or "python" in spec.check
    return "coding" if python else "devops"


def build_task(spec: TaskSpec, source: str, meta: dict[str, Any] | None = None) -> Task:
    """The ``Task``: the spec's files as the workspace, its check pinned in the verifier."""
    family = family_of(spec)
    digest = hashlib.sha256(json.dumps(spec.as_dict(), sort_keys=True).encode()).hexdigest()
    verifier = Verifier(
        pinned={p: spec.files[p] for p in spec.pinned},
        checks=[Check(kind="command", name="task check", cmd=spec.check)],
    )
    return Task(
        id=task_id("expand", family, digest),
        family=family,
        source=source,
        instruction=spec.instruction,
        base=None,
        files=dict(spec.files),
        verifier=verifier,
        # No known solution: these tasks are for LLM teachers, the oracle has nothing to replay.
        solution=Solution(kind="none"),
        meta=dict(meta or {}),
    )
