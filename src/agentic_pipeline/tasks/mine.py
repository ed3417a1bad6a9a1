"""Tasks from a user's own repository: copy it, inject bugs / remove bodies, keep what its tests catch.

The repository is copied (without .git, caches and virtual environments) into the task cache, keyed
by its content, so the tasks keep working when the original moves on. Source files are the ``.py``
files that are not tests; test files (``test_*.py``, ``*_test.py``, ``conftest.py``, anything under
a ``tests``/``test`` folder) are pinned by the verifier. Candidates are checked in the sandbox in a
deterministic order until ``max_tasks`` valid ones are found.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path

from agentic_pipeline.tasks.base import Task, tree_hash
from agentic_pipeline.tasks.code_families import coding_tasks, debugging_tasks, multi_coding_tasks
from agentic_pipeline.tasks.sources import CodeSource, cache_dir
from agentic_pipeline.tasks.validity import source_passes, task_is_valid

_IGNORE = shutil.ignore_patterns(
    ".git",
    "__pycache__",
    "*.pyc",
    ".venv",
    "venv",
    "env",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "node_modules",
    "build",
    "dist",
    "*.egg-info",
)
# Coding: single stubs first (each one's own tests catch it), then several stubs of one file at once.
_BUILDERS = {"debugging": debugging_tasks, "coding": lambda src: coding_tasks(src) + multi_coding_tasks(src)}


class MineError(ValueError):
    """The repository cannot be mined (message says why and what to do)."""


def _is_test(rel: Path) -> bool:
    name = rel.name
    return (
        name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
        or any(part in ("tests", "test", "testing") for part in rel.parts[:-1])
    )


def copy_repo(repo: Path) -> Path:
    """A frozen copy of ``repo`` in the cache (reused when the content is the same)."""
    repo = Path(repo).resolve()
    if not repo.is_dir():
        raise MineError(f"--repo {repo}: no such folder")
    staging = cache_dir() / "mined" / f".staging-{repo.name}"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(repo, staging, ignore=_IGNORE, symlinks=True)
    final = cache_dir() / "mined" / f"{repo.name}-{tree_hash(staging, memo=False)[:12]}"
    if final.exists():
        shutil.rmtree(staging)
    else:
        staging.rename(final)
    return final


def repo_source(root: Path, test_cmd: str, name: str) -> CodeSource:
    files = sorted(p.relative_to(root) for p in root.rglob("*.py") if p.is_file())
    src = [
        str(p) for p in files if not _is_test(p) and p.name not in ("setup.py", "noxfile.py", "conftest.py")
    ]
    tests = [str(p) for p in files if _is_test(p)]
    if not src:
        raise MineError(f"{root}: no Python source files (outside tests) to mutate")
    return CodeSource(f"repo:{name}", root, src, tests, test_cmd, description=f"the {name} repository")


def mine(
    repo: Path,
    test_cmd: str,
    max_tasks: int = 100,
    families: tuple[str, ...] = ("debugging", "coding"),
    backend: str = "bwrap",
    on_checked: Callable[[Task, bool], None] | None = None,
) -> list[Task]:
    """Valid tasks mined from ``repo`` (at most ``max_tasks``, spread over ``families``)."""
    root = copy_repo(repo)
    src = repo_source(root, test_cmd, Path(repo).resolve().name)

    async def run() -> list[Task]:
        if not await source_passes(src, backend):
            raise MineError(
                f"the test command `{test_cmd}` fails on the unmodified repository ({repo}); "
                "mined tasks need a green suite to start from"
            )
        pools = {f: _BUILDERS[f](src) for f in families}
        keep: list[Task] = []
        # Interleave families so a small --max still gets some of each.
        queue = [t for group in _interleave(list(pools.values())) for t in group]
        for task in queue:
            if len(keep) >= max_tasks:
                break
            ok = await task_is_valid(task, backend)
            if on_checked:
                on_checked(task, ok)
            if ok:
                keep.append(task)
        return keep

    return asyncio.run(run())


def _interleave(groups: list[list[Task]]) -> list[list[Task]]:
    out, i = [], 0
    while any(i < len(g) for g in groups):
        out.append([g[i] for g in groups if i < len(g)])
        i += 1
    return out
