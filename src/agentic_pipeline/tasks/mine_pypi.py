"""Mining PyPI packages: one (``--pypi NAME[==VERSION]``) or the shipped catalog (``--catalog``).

A package is fetched as its sdist, gets its own environment (its dependencies and test
dependencies) and is mined like a repository (``agentic_pipeline.tasks.mine``).

The catalog run is resumable: each package's tasks and report are written to
``<out>.sources/<name>.jsonl`` / ``.json`` when it is done, and a later run skips the packages done
with the same version, ``--max`` and families (a package stopped half-way resumes fast: every
candidate checked is remembered in the validity cache). Packages that failed (no sdist, a red suite)
are recorded with the reason and skipped unless asked to retry.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from agentic_pipeline.tasks.base import Task
from agentic_pipeline.tasks.catalog import load_task_file, write_task_file
from agentic_pipeline.tasks.mine import (
    WORKERS,
    Mined,
    MineError,
    MineReport,
    mine_source,
    prepare_source,
    repo_source,
)
from agentic_pipeline.tasks.pypi import Package, PypiError, fetch_sdist, requirements, test_command
from agentic_pipeline.tasks.sources import CodeSource


def prepare(pkg: Package, test_cmd: str | None = None) -> tuple[CodeSource, MineReport]:
    """``pkg`` as a source: its sdist fetched, its tests and test command found (``test_cmd``, then the
    catalog's, override), its environment built. Raises MineError (with the reason)."""
    try:
        root = fetch_sdist(pkg)
        found = repo_source(root, "", pkg.name, "pypi")
        cmd = test_cmd or pkg.test_cmd or test_command(root, found.test_files)
    except PypiError as exc:
        raise MineError(str(exc)) from None
    return prepare_source(root, cmd, requirements(root, pkg), pkg.name, "pypi")


def mine_package(
    pkg: Package,
    max_tasks: int,
    families: tuple[str, ...],
    test_cmd: str | None = None,
    backend: str = "bwrap",
    on_checked: Callable[[Task, bool], None] | None = None,
    workers: int = WORKERS,
) -> Mined:
    """Fetch, prepare and mine ``pkg`` (see ``prepare``)."""
    src, report = prepare(pkg, test_cmd)
    return mine_source(src, max_tasks, families, backend, on_checked, report=report, workers=workers)


@dataclass
class SourceRow:
    """One line of the catalog's per-source table (also the resumable record of a package)."""

    name: str
    version: str
    max_tasks: int
    families: list[str]
    tasks: int = 0
    built: int = 0
    uncovered: int = 0
    tried: int = 0
    rejected: int = 0
    seconds: float = 0.0
    error: str = ""
    summary: str = ""


class CatalogRun:
    """The catalog mined into ``out`` (combined file) and ``<out>.sources/`` (one per package)."""

    def __init__(
        self,
        out: Path,
        max_tasks: int,
        families: tuple[str, ...],
        retry_failed: bool = False,
        workers: int = WORKERS,
    ):
        self.out, self.workers = Path(out), workers
        self.dir = self.out.with_name(self.out.stem + ".sources")
        self.dir.mkdir(parents=True, exist_ok=True)
        self.max_tasks, self.families, self.retry_failed = max_tasks, families, retry_failed

    def done(self, pkg: Package) -> SourceRow | None:
        """The record of ``pkg`` from an earlier run with the same settings, or None."""
        path = self.dir / f"{pkg.name}.json"
        try:
            row = SourceRow(**json.loads(path.read_text()))
        except (OSError, ValueError, TypeError):
            return None
        same = (row.version, row.max_tasks, row.families) == (
            pkg.version,
            self.max_tasks,
            list(self.families),
        )
        if not same or (row.error and self.retry_failed):
            return None
        if not row.error and not (self.dir / f"{pkg.name}.jsonl").is_file():
            return None
        return row

    def run(self, pkg: Package, on_checked: Callable[[Task, bool], None] | None = None) -> SourceRow:
        known = self.done(pkg)
        if known:
            return known
        row = SourceRow(pkg.name, pkg.version, self.max_tasks, list(self.families))
        try:
            mined = mine_package(
                pkg, self.max_tasks, self.families, on_checked=on_checked, workers=self.workers
            )
        except MineError as exc:
            row.error = str(exc)
        else:
            r = mined.report
            write_task_file(self.dir / f"{pkg.name}.jsonl", mined.tasks)
            row.tasks, row.built, row.uncovered, row.tried = r.kept, r.built, r.uncovered, r.tried
            row.rejected, row.seconds, row.summary = sum(r.rejected.values()), r.seconds, r.line()
        tmp = self.dir / f"{pkg.name}.json.tmp"
        tmp.write_text(json.dumps(asdict(row), indent=1))
        tmp.replace(self.dir / f"{pkg.name}.json")
        return row

    def combine(self, packages: list[Package]) -> int:
        """Write every done package's tasks to ``out``; returns how many."""

        def tasks() -> Iterator[Task]:
            for pkg in packages:
                path = self.dir / f"{pkg.name}.jsonl"
                if path.is_file() and self.done(pkg):
                    yield from load_task_file(path)

        return write_task_file(self.out, tasks())
