"""The shipped catalogue of preference problems: one folder per problem, several implementations.

Layout, under ``catalog/<category>/<problem>/``:

- ``problem.toml``: ``title``, ``file`` (where a candidate is written in the workspace) and a
  ``[variants]`` table of name -> rank (1 is best). A pair is *claimed* for every two variants of
  different rank; the measurements decide whether the claim holds (see ``judge``).
  Efficiency problems add ``entry`` (the function timed) and ``sizes`` (input sizes, ascending).
- ``task.md``: the instruction, as a user would give it.
- ``test_*.py``: the tests every candidate must pass (the task's definition of done).
- ``variants/<name>.py`` or ``.sh``: the implementations.
- ``perf.py`` (efficiency only): ``make_args(n)`` builds the arguments for input size ``n``.

The problems and their variants were written for this project.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CATALOG_DIR = Path(__file__).parent / "catalog"


@dataclass(frozen=True)
class Candidate:
    """One implementation of a problem: the file content a policy would write."""

    name: str
    code: str
    rank: int | None = None  # the catalogue's claim; None for candidates nobody ranked
    origin: str = "catalog"  # catalog, derived (see derive.py), or the teacher policy's name

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.code.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Problem:
    category: str
    name: str
    title: str
    task: str
    file: str
    tests: dict[str, str]
    candidates: tuple[Candidate, ...]
    entry: str | None = None
    sizes: tuple[int, ...] = ()
    perf_source: str | None = None
    claims: tuple[tuple[str, str], ...] = ()  # explicit (better, worse) names, for derived problems

    @property
    def key(self) -> str:
        return f"{self.category}/{self.name}"

    @property
    def language(self) -> str:
        return "shell" if self.file.endswith(".sh") else "python"

    def claimed_pairs(self) -> list[tuple[Candidate, Candidate]]:
        """(claimed better, claimed worse): the explicit claims, else every two ranked candidates of
        different rank."""
        if self.claims:
            by_name = {c.name: c for c in self.candidates}
            return [(by_name[a], by_name[b]) for a, b in self.claims]
        ranked = [c for c in self.candidates if c.rank is not None]
        return [(a, b) for a in ranked for b in ranked if a.rank < b.rank]


class CatalogError(ValueError):
    """A malformed problem folder; the message names the file and what was expected."""


def _load_problem(folder: Path, category: str) -> Problem:
    meta_path = folder / "problem.toml"
    try:
        meta = tomllib.loads(meta_path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"{meta_path}: {exc}") from None
    for key in ("title", "file", "variants"):
        if key not in meta:
            raise CatalogError(f"{meta_path}: missing key {key!r}")
    suffix = Path(meta["file"]).suffix
    candidates = []
    for name, rank in meta["variants"].items():
        path = folder / "variants" / f"{name}{suffix}"
        if not path.is_file():
            raise CatalogError(f"{meta_path}: variant {name!r} has no file {path.relative_to(folder)}")
        candidates.append(Candidate(name=name, code=path.read_text(), rank=int(rank)))
    tests = {p.name: p.read_text() for p in sorted(folder.glob("test_*.py"))}
    if not tests:
        raise CatalogError(f"{folder}: no test_*.py file")
    perf = folder / "perf.py"
    if category == "efficiency" and ("entry" not in meta or "sizes" not in meta or not perf.is_file()):
        raise CatalogError(f"{meta_path}: an efficiency problem needs `entry`, `sizes` and a perf.py")
    return Problem(
        category=category,
        name=folder.name,
        title=meta["title"],
        task=(folder / "task.md").read_text().strip(),
        file=meta["file"],
        tests=tests,
        candidates=tuple(candidates),
        entry=meta.get("entry"),
        sizes=tuple(meta.get("sizes", ())),
        perf_source=perf.read_text() if perf.is_file() else None,
    )


@cache
def load_catalog(root: Path = CATALOG_DIR) -> tuple[Problem, ...]:
    """Every problem of the catalogue, sorted by category then name (a stable order for seeding)."""
    problems = []
    for category_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for folder in sorted(p for p in category_dir.iterdir() if (p / "problem.toml").is_file()):
            problems.append(_load_problem(folder, category_dir.name))
    return tuple(problems)


def problems_for(category: str, root: Path = CATALOG_DIR) -> list[Problem]:
    return [p for p in load_catalog(root) if p.category == category]
