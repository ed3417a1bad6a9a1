"""The refactoring family: behaviour-preserving changes checked by the tests AND an AST predicate.

One module per family of kinds, each holding its task builder:

- ``rename``: a function or class renamed across the project, tests included;
- ``constant`` (kind ``extract_constant``): a magic number in a function becomes a module-level constant;
- ``dataclass``: a plain class whose ``__init__`` only stores its arguments becomes a ``@dataclass``;
- ``extract``: the guard statements two functions share move into one helper both call;
- ``loops`` (kinds ``comprehension`` and ``enumerate``): a list comprehension instead of an append-only
  loop; ``enumerate(seq)`` instead of ``range(len(seq))`` plus ``seq[i]``;
- ``fstring``: an f-string instead of ``%s``/``%r`` or ``str.format`` on a string literal.

``common`` holds what several builders share.

Where the plans are: a kind's oracle plan cannot sit in its builder's module. Builders are part of
``agentic_pipeline.tasks``, a layer below ``agentic_pipeline.policies`` (the import-linter contract in
pyproject.toml, checked by tests/test_architecture.py): tasks are plain data that the generators,
the verifier and ``agentic tasks`` use without any policy, while a plan drives the agent's tools
and is one policy among several. So the plans are in ``agentic_pipeline.policies.oracle.refactoring``,
which may import this package and never the reverse, and builder and plan meet in the typed record
of each kind in ``agentic_pipeline.tasks.facts`` (``RenameFacts``, ``ConstantFacts``, ...), the one
thing both sides read.

The public names of the single module this package replaced are importable from here as before.
"""

from __future__ import annotations

from agentic_pipeline.tasks.base import Task
from agentic_pipeline.tasks.refactoring.constant import constant_tasks
from agentic_pipeline.tasks.refactoring.dataclass import dataclass_tasks
from agentic_pipeline.tasks.refactoring.extract import extract_tasks
from agentic_pipeline.tasks.refactoring.fstring import find_format_calls, fstring_tasks
from agentic_pipeline.tasks.refactoring.loops import (
    comprehension_tasks,
    enumerate_tasks,
    find_comprehension_loops,
    find_index_loops,
)
from agentic_pipeline.tasks.refactoring.rename import rename_tasks
from agentic_pipeline.tasks.sources import CodeSource

__all__ = [
    "comprehension_tasks",
    "constant_tasks",
    "dataclass_tasks",
    "enumerate_tasks",
    "extract_tasks",
    "find_comprehension_loops",
    "find_format_calls",
    "find_index_loops",
    "fstring_tasks",
    "refactoring_tasks",
    "rename_tasks",
]


def refactoring_tasks(src: CodeSource) -> list[Task]:
    """Every refactoring candidate of ``src``: in a stdlib module (one large file whose tests pin its
    public names) the constants and the pattern rewrites only."""
    loops = comprehension_tasks(src) + enumerate_tasks(src) + fstring_tasks(src)
    if src.kind == "stdlib":
        return constant_tasks(src, per_file=15) + loops
    return rename_tasks(src) + constant_tasks(src) + dataclass_tasks(src) + extract_tasks(src) + loops
