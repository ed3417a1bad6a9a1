"""All candidate tasks of a family, from every source, in a stable order; and task files (JSONL).

Building candidates is pure Python (no sandbox); whether a candidate is a real task is decided by
``agentic_pipeline.tasks.validity`` when the runner reaches it. Lists are memoized on disk per
source content, family and builder version, so listing 2,000+ candidates takes a fraction of a second
after the first time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path

from agentic_pipeline.tasks.base import FAMILIES, Task, tree_hash
from agentic_pipeline.tasks.code_families import coding_tasks, debugging_tasks, multi_coding_tasks
from agentic_pipeline.tasks.sources import CodeSource, all_sources, cache_dir

# Bump when a builder changes what it produces, so memoized lists are rebuilt.
BUILDER_VERSION = "13"

SourceBuilder = Callable[[CodeSource], list[Task]]


def _builders() -> dict[str, list[SourceBuilder]]:
    from agentic_pipeline.tasks.devops import devops_source_tasks
    from agentic_pipeline.tasks.refactoring import refactoring_tasks

    return {
        "debugging": [debugging_tasks],
        "coding": [coding_tasks, multi_coding_tasks],
        "refactoring": [refactoring_tasks],
        "devops": [devops_source_tasks],
    }


def _standalone() -> dict[str, Callable[[], list[Task]]]:
    """Families with tasks that need no code source (shell scripts, configs, pins)."""
    from agentic_pipeline.tasks.devops import builtin_devops_tasks

    return {"devops": builtin_devops_tasks}


def _memo_path(src: CodeSource, family: str) -> Path:
    # The tasks hold the source's absolute path (their ``base``): the same content at another path (a
    # second checkout, a moved venv) is another list, or its workspaces would point at the first one.
    root = Path(src.root).resolve()
    key = hashlib.sha256(
        f"{src.name}\x00{root}\x00{tree_hash(src.root)}\x00{family}\x00{BUILDER_VERSION}".encode()
    ).hexdigest()
    return cache_dir() / "candidates" / f"{family}-{src.name.replace(':', '_')}-{key[:16]}.jsonl"


def source_tasks(src: CodeSource, family: str) -> list[Task]:
    path = _memo_path(src, family)
    if path.exists():
        try:
            return [Task.from_dict(json.loads(line)) for line in path.read_text().splitlines() if line]
        except (json.JSONDecodeError, TypeError, KeyError, ValueError):
            pass  # a stale or torn memo is rebuilt below
    tasks = [t for build in _builders()[family] for t in build(src)]
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f"{family}-{src.name.replace(':', '_')}-*.jsonl"):
        stale.unlink(missing_ok=True)  # lists of an older version of this source
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(t.to_dict()) + "\n" for t in tasks))
    tmp.replace(path)
    return tasks


def candidates(
    family: str, sources: Iterable[CodeSource] | None = None, standalone: bool = True
) -> list[Task]:
    """Every candidate of ``family`` (sorted by id; ids are unique)."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; expected one of {', '.join(FAMILIES)}")
    tasks: dict[str, Task] = {}
    for src in all_sources() if sources is None else sources:
        for t in source_tasks(src, family):
            tasks.setdefault(t.id, t)
    if standalone and family in _standalone():
        for t in _standalone()[family]():
            tasks.setdefault(t.id, t)
    return [tasks[k] for k in sorted(tasks)]


def load_task_file(path: Path) -> list[Task]:
    """Tasks from a JSONL file (``agentic tasks mine`` writes them); a bad line names the file and line."""
    out = []
    for n, line in enumerate(Path(path).read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append(Task.from_dict(json.loads(line)))
        except (json.JSONDecodeError, TypeError, KeyError, ValueError) as exc:
            raise ValueError(f"{path}:{n}: not a task record ({exc})") from None
    return out


def write_task_file(path: Path, tasks: Iterable[Task]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w") as fh:
        for t in tasks:
            fh.write(json.dumps(t.to_dict()) + "\n")
            n += 1
    return n
