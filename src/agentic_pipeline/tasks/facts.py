"""What a task's builder knows about its solution and its oracle plan uses: one typed record per kind.

A builder fills the record when it makes the task (``Solution.facts``); the oracle's plan for that
kind (``agentic_pipeline.policies.oracle``) reads it to word its thoughts and to aim its look-ups,
never to fake an observation. The builder and the plan of a kind cannot share a module: builders
are in ``tasks`` and plans in ``policies``, a layer above (import-linter keeps it that way), and the
task file reader (``Task.from_dict``) must know every kind's record. So the records sit here, at the
bottom of ``tasks``, importing nothing from it: the one place both sides agree on.

In a task file the facts stay a JSON object whose keys are the record's fields, in their order,
exactly as when they were a dict of string keys (files written before are read as they are); a
solution without facts is written ``{}``. A field whose metadata says ``omit_none`` is left out while
it is ``None`` (the makefile patches add ``pkg``; the other patches never had it).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class Facts:
    """The base of every kind's record: conversion to and from the task file's JSON object."""

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for f in fields(self):
            if f.metadata.get("omit_none") and out[f.name] is None:
                del out[f.name]
        return out


# ----------------------------------------------------------------------------- debugging and coding


@dataclass(frozen=True)
class FixFacts(Facts):
    """``fix``: one injected bug at ``line`` of ``path`` (in ``function``; ``None`` at module level)."""

    path: str
    line: int
    function: str | None
    bug: str


@dataclass(frozen=True)
class ImplementFacts(Facts):
    """``implement``: the body of ``function``, whose ``def`` is at ``line`` of ``path``, was removed."""

    path: str
    line: int
    function: str


@dataclass(frozen=True)
class ImplementManyFacts(Facts):
    """``implement_many``: two or three bodies of one file removed; ``lines`` are their ``def`` lines in
    the starting file. ``line`` is the first of them and ``function`` the display form of the names
    ("a` and `b"), for consumers that quote one name in backticks."""

    path: str
    functions: list[str]
    lines: list[int]
    line: int
    function: str


# ----------------------------------------------------------------------------- refactoring


@dataclass(frozen=True)
class RenameFacts(Facts):
    """``rename``: ``old`` (defined in ``path``) becomes ``new`` everywhere."""

    old: str
    new: str
    path: str


@dataclass(frozen=True)
class ConstantFacts(Facts):
    """``extract_constant``: ``literal`` at ``line`` in ``function`` becomes the constant ``name``,
    defined after line ``insert_after`` (the module docstring and imports)."""

    path: str
    function: str
    name: str
    literal: str
    line: int
    insert_after: int


@dataclass(frozen=True)
class DataclassFacts(Facts):
    """``dataclass``: the class ``cls`` (``line``) whose ``__init__`` (ending at ``end_line``) only stores
    ``fields``; ``eq`` tells whether it defines ``__eq__`` itself."""

    path: str
    cls: str
    line: int
    end_line: int
    fields: list[str]
    eq: bool


@dataclass(frozen=True)
class ExtractFacts(Facts):
    """``extract``: the ``n`` guard statements shared by ``f`` (``f_lines``, first and last) and ``g``
    (``g_lines``) move into ``helper``; ``first`` is the first of them as source."""

    path: str
    f: str
    g: str
    helper: str
    n: int
    f_lines: list[int]
    g_lines: list[int]
    first: str


@dataclass(frozen=True)
class ComprehensionFacts(Facts):
    """``comprehension``: ``name = []`` at ``line`` and the append loop ending at ``end_line`` in
    ``function``; ``cond``: the append is under an ``if``; ``choice``: both branches append."""

    path: str
    function: str
    name: str
    line: int
    end_line: int
    cond: bool
    choice: bool


@dataclass(frozen=True)
class EnumerateFacts(Facts):
    """``enumerate``: ``for index in range(len(seq))`` (``line`` to ``end_line``) reads ``seq[index]``
    ``reads`` times, which becomes ``item``; ``uses_index``: the index is needed for more."""

    path: str
    function: str
    seq: str
    index: str
    item: str
    line: int
    end_line: int
    reads: int
    uses_index: bool


@dataclass(frozen=True)
class FstringFacts(Facts):
    """``fstring``: the formatting expressions of ``function`` at ``lines`` (their source ``snippets``)
    and the f-strings that replace them, in file order; ``styles``: %-formatting and/or str.format."""

    path: str
    function: str
    lines: list[int]
    snippets: list[str]
    fstrings: list[str]
    styles: list[str]


# ----------------------------------------------------------------------------- devops


@dataclass(frozen=True)
class MergeFacts(Facts):
    """``merge``: ``branch`` conflicts with main's commit ``fix`` in ``path`` (in ``function``)."""

    path: str
    branch: str
    function: str | None
    fix: str


@dataclass(frozen=True)
class RevertFacts(Facts):
    """``revert``: the commit ``subject`` broke ``path`` (in ``function``)."""

    path: str
    subject: str
    function: str | None


@dataclass(frozen=True)
class BisectFacts(Facts):
    """``bisect``: the commit ``subject``, one of ``commits`` after the tag, broke ``path``."""

    path: str
    subject: str
    commits: int


@dataclass(frozen=True)
class PatchFacts(Facts):
    """``patch``: ``file`` is fixed by the solution's edit; ``diagnosis`` is the thought before it and
    ``summary`` the one after; ``pkg`` (makefile targets only) is the project's package folder."""

    file: str
    diagnosis: str
    summary: str
    pkg: str | None = field(default=None, metadata={"omit_none": True})


@dataclass(frozen=True)
class PinsFacts(Facts):
    """``pins``: the requirement lines that satisfy every constraint."""

    pins: list[str]


FACTS: dict[str, type[Facts]] = {
    "fix": FixFacts,
    "implement": ImplementFacts,
    "implement_many": ImplementManyFacts,
    "rename": RenameFacts,
    "extract_constant": ConstantFacts,
    "dataclass": DataclassFacts,
    "extract": ExtractFacts,
    "comprehension": ComprehensionFacts,
    "enumerate": EnumerateFacts,
    "fstring": FstringFacts,
    "merge": MergeFacts,
    "revert": RevertFacts,
    "bisect": BisectFacts,
    "patch": PatchFacts,
    "pins": PinsFacts,
}


def facts_from_dict(kind: str, obj: dict[str, Any]) -> Facts | None:
    """The record of a ``kind`` solution from its JSON object (``{}``: none). Keys missing or unknown
    raise ``ValueError`` naming them: a reader must not guess, nor drop what it cannot write back."""
    if not obj:
        return None
    cls = FACTS.get(kind)
    if cls is None:
        raise ValueError(f"a {kind!r} solution has no facts, but the record gives {sorted(obj)}")
    names = {f.name: f for f in fields(cls)}
    missing = [n for n, f in names.items() if n not in obj and not f.metadata.get("omit_none")]
    unknown = sorted(set(obj) - set(names))
    if missing or unknown:
        problems = ([f"missing {', '.join(missing)}"] if missing else []) + (
            [f"unknown {', '.join(unknown)}"] if unknown else []
        )
        raise ValueError(f"facts of a {kind!r} solution: {'; '.join(problems)}")
    return cls(**obj)
