"""The held-out split: which tasks training never sees, decided by where a task's code comes from.

Every task is ``train`` or ``eval``, and the unit of the split is the task's SOURCE, never the task:
a shipped project (``project:ledger``), a standard-library module (``stdlib:textwrap``), a mined
repository (``repo:NAME``), a synthesized project (``synth:SLUG-HASH``), or one group of the built-in
devops tasks (a shell-script template ``builtin:shell/sales``, a config format ``builtin:config/yaml``,
the dependency pins ``builtin:pins``). All the tasks of a source are made from the same files (its
functions stubbed, its lines mutated, its modules refactored, the same script broken in other ways),
so a split by task would put an eval bug in ``ledger/core.py`` next to training records that read,
fix and rewrite that very file. Split by source, no eval task shares code with a training task.

``split_of(source)`` is ``eval`` when a salted SHA-256 of the source's *name* falls in the first
``EVAL_SHARE`` (10%) of the hash range, each source on its own:

- the same answer in every run, on every machine, in every version of the package: only the name
  counts, not the content, the path, the Python version or which other sources exist, so adding a
  source (a new project, a mined repository) never moves another one across the line;
- about 10% of the sources of each kind are held out (in expectation; a kind with few sources may
  get more or fewer). Built-in devops tasks are split by group (6 shell templates, 3 config formats,
  the pins), so the eval set has some of those too;
- a synthesized project is named ``synth:<subject slug>-<content hash>``: the content hash is left
  out, so every project a teacher wrote on one subject falls on the same side.

``SALT`` was picked once: the first of ``"agentic-pipeline eval split N"``, N = 1, 2, ..., that holds
out 1-2 of the 15 shipped projects, 3-5 stdlib modules with at least 3 present on every supported
Python (aifc, sunau and uu are gone from 3.13), and exactly one of the 10 built-in devops groups.
It must never change: records generated for training would land in the eval split. The shipped
pool's eval sources are ``project:bankaccount``, ``project:textkit``, ``stdlib:aifc``,
``stdlib:optparse``, ``stdlib:quopri``, ``stdlib:uuid`` and ``builtin:shell/backup``
(``tests/test_tasks_split.py`` pins the list; ``agentic tasks list`` shows each source's split).

Who uses it: ``agentic generate trajectories|conversations|reasoning`` draw from ``train`` only
unless ``--split eval|all`` says otherwise (``--tasks FILE`` too); ``agentic validate`` reports a
training record whose task or source is in the eval split as ``eval_contamination`` (an error), found
from ``metadata.source`` or, for older records, the task id (``coding-stdlib.base64-<hash>``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Literal, Protocol, TypeVar

Split = Literal["train", "eval"]
SPLITS: tuple[Split, ...] = ("train", "eval")
CHOICES = ("train", "eval", "all")  # what --split takes: one split, or every task
EVAL_SHARE = 0.10
SALT = "agentic-pipeline eval split 14"
# The kinds of task source (the part of a source name before the colon).
SOURCE_KINDS = ("project", "stdlib", "repo", "synth", "builtin")

_SOURCE = re.compile(r"^(project|stdlib|repo|synth|builtin):(\S+)$")
_SYNTH_HASH = re.compile(r"-[0-9a-f]{12}$")
# task_id(): f"{family}-{source with ':' and '/' made '.'}-{16 hex digits}"
_TASK_ID = re.compile(
    r"^(?:coding|debugging|refactoring|devops)-(project|stdlib|repo|synth|builtin)\.(.+)-[0-9a-f]{16}$"
)


class _HasSource(Protocol):
    source: str


class _HasName(Protocol):
    name: str


T = TypeVar("T", bound=_HasSource)
S = TypeVar("S", bound=_HasName)


def split_key(source: str) -> str:
    """What the hash is taken of: the source name, less a synthesized project's content hash."""
    kind, _, name = source.partition(":")
    if kind == "synth":
        name = _SYNTH_HASH.sub("", name)
    return f"{kind}:{name}"


def split_of(source: str, share: float = EVAL_SHARE) -> Split:
    """``eval`` or ``train`` for the source named ``source`` (``project:ledger``, ``stdlib:csv``...)."""
    digest = hashlib.sha256(f"{SALT}\x00{split_key(source)}".encode()).digest()
    return "eval" if int.from_bytes(digest[:8], "big") / 2**64 < share else "train"


def check_split(split: str) -> str:
    """``split`` when it is train, eval or all; a ValueError naming the choices otherwise."""
    if split not in CHOICES:
        raise ValueError(f"--split {split!r}: expected one of {', '.join(CHOICES)}")
    return split


def in_split(source: str, split: str) -> bool:
    """Does a task of ``source`` belong to ``split`` (``all``: every task does)?"""
    return check_split(split) == "all" or split_of(source) == split


def select(tasks: Iterable[T], split: str) -> list[T]:
    """The tasks of ``split``, in their order."""
    return [t for t in tasks if in_split(t.source, split)]


def select_sources(sources: Iterable[S], split: str) -> list[S]:
    """The code sources (``CodeSource``) whose tasks belong to ``split``, in their order."""
    return [s for s in sources if in_split(s.name, split)]


# ----------------------------------------------------------------------------- sources of records


def task_source(text: object) -> str | None:
    """``text`` when it names a task source (``kind:name`` of a known kind), else None."""
    if not isinstance(text, str):
        return None
    return text if _SOURCE.match(text) else None


def source_of_task_id(task_id: object) -> str | None:
    """The source of the task with this id, read from the id (None: not a task id of a known source).

    The id keeps the source's name (``debugging-project.ledger-<hash>``) except for the built-in devops
    tasks (``devops-builtin.shell-<hash>``: which template?), found by rebuilding them (pure Python)."""
    if not isinstance(task_id, str):
        return None
    m = _TASK_ID.match(task_id)
    if m is None:
        return None
    kind, name = m.groups()
    if kind == "builtin":
        return _builtin_sources().get(task_id)
    return f"{kind}:{name}"


@lru_cache(maxsize=1)
def _builtin_sources() -> dict[str, str]:
    from agentic_pipeline.tasks.devops import builtin_devops_tasks

    return {t.id: t.source for t in builtin_devops_tasks()}
