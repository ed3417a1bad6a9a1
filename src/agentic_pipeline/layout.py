"""Where each kind of record lives under a data directory (the seed's layout) and the targets."""

from __future__ import annotations

from pathlib import Path

from agentic_pipeline.records import (
    CONVERSATION_CATEGORIES,
    PREFERENCE_CATEGORIES,
    REASONING_CATEGORIES,
    TRAJECTORY_CATEGORIES,
)

# kind -> directory under the data dir
KIND_DIRS: dict[str, str] = {
    "trajectory": "trajectories",
    "reasoning": "reasoning",
    "domain": "domain",
    "conversation": "conversations",
    "preference": "preferences",
}
DIR_KINDS: dict[str, str] = {v: k for k, v in KIND_DIRS.items()}

# The seed's targets (records per kind); `agentic validate --target kind=N` overrides.
TARGETS: dict[str, int] = {
    "trajectory": 50_000,
    "reasoning": 20_000,
    "domain": 10_000,
    "conversation": 5_000,
    "preference": 10_000,
}

KNOWN_CATEGORIES: dict[str, tuple[str, ...]] = {
    "trajectory": TRAJECTORY_CATEGORIES,
    "reasoning": REASONING_CATEGORIES,
    "conversation": CONVERSATION_CATEGORIES,
    "preference": PREFERENCE_CATEGORIES,
}


def data_file(data_dir: Path, kind: str, category: str) -> Path:
    """The file a record of this kind and category is written to."""
    folder = Path(data_dir) / KIND_DIRS[kind]
    if kind == "trajectory":
        return folder / f"{category}_tasks.jsonl"
    return folder / f"{category}.jsonl"


def rejected_file(data_dir: Path, category: str, *, kind: str = "trajectory") -> Path:
    """The file a rejected record of this kind and category is written to (``rejected/<kind dir>/``)."""
    return Path(data_dir) / "rejected" / KIND_DIRS[kind] / f"{category}.jsonl"


def kind_from_path(path: Path, data_dir: Path | None = None) -> str | None:
    """The kind implied by a file's directory (``.../trajectories/x.jsonl`` -> trajectory)."""
    parts = Path(path).resolve().relative_to(Path(data_dir).resolve()).parts if data_dir else Path(path).parts
    for part in reversed(parts[:-1]):
        if part in DIR_KINDS:
            return DIR_KINDS[part]
    return None
