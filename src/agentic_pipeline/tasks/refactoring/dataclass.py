"""Refactoring kind ``dataclass``: a plain class whose ``__init__`` only stores its (annotated)
arguments becomes a ``@dataclass`` (``eq=False`` unless it defines ``__eq__``, so identity comparison
and hashing stay as they were).

The oracle's plan for this kind is ``plan_dataclass`` in ``agentic_pipeline.policies.oracle.refactoring``;
they share ``DataclassFacts``.
"""

from __future__ import annotations

import ast
import re

from agentic_pipeline.tasks.base import Check, Edit, Solution, Task, Verifier, task_id
from agentic_pipeline.tasks.code_families import rng_for
from agentic_pipeline.tasks.facts import DataclassFacts
from agentic_pipeline.tasks.mutate import minimal_edit
from agentic_pipeline.tasks.refactoring.common import insert_point
from agentic_pipeline.tasks.sources import CodeSource

_DATACLASS_PHRASES = (
    "Convert the class `{cls}` in {path} into a dataclass: its `__init__` only stores its arguments, so let "
    "`@dataclass` generate it. Keep the behaviour (the tests must pass).",
    "Refactor `{cls}` ({path}) to use `@dataclass` instead of a hand-written `__init__`. Same fields, same "
    "defaults, same behaviour.",
    "`{cls}` in {path} is boilerplate: replace its `__init__` with dataclass fields (`@dataclass`). Tests must "
    "still pass.",
)


def _plain_init(cls: ast.ClassDef) -> ast.FunctionDef | None:
    """The ``__init__`` of ``cls`` if all it does is ``self.p = p`` for each (annotated) parameter."""
    if cls.bases or cls.decorator_list or cls.keywords:
        return None
    init = next((n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
    if init is None or init.decorator_list:
        return None
    a = init.args
    if a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs or len(a.args) < 2:
        return None
    params = a.args[1:]
    if any(p.annotation is None for p in params):
        return None
    body = [s for s in init.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if len(body) != len(params):
        return None
    for stmt, p in zip(body, params, strict=True):
        ok = (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Attribute)
            and isinstance(stmt.targets[0].value, ast.Name)
            and stmt.targets[0].value.id == "self"
            and stmt.targets[0].attr == p.arg
            and isinstance(stmt.value, ast.Name)
            and stmt.value.id == p.arg
        )
        if not ok:
            return None
    return init


def dataclass_tasks(src: CodeSource) -> list[Task]:
    out = []
    for rel in src.src_files:
        text = src.read(rel)
        tree = ast.parse(text)
        for cls in [n for n in tree.body if isinstance(n, ast.ClassDef)]:
            init = _plain_init(cls)
            if init is not None:
                out.append(_dataclass_task(src, rel, text, tree, cls, init))
    return out


def _add_import(text: str, tree: ast.Module) -> str:
    """``from dataclasses import dataclass`` before the first ordinary import (else after the header)."""
    lines = text.splitlines(keepends=True)
    first = next(
        (
            n
            for n in tree.body
            if isinstance(n, ast.Import | ast.ImportFrom) and getattr(n, "module", "") != "__future__"
        ),
        None,
    )
    if first is not None:
        at = first.lineno - 1
        return "".join(lines[:at] + ["from dataclasses import dataclass\n"] + lines[at:])
    at = insert_point(lines, tree)
    return "".join(lines[:at] + ["\nfrom dataclasses import dataclass\n"] + lines[at:])


def _segment(text: str, node: ast.AST) -> str:
    return ast.get_source_segment(text, node)


def _dataclass_task(src, rel, text, tree, cls: ast.ClassDef, init: ast.FunctionDef) -> Task:
    lines = text.splitlines(keepends=True)
    has_eq = any(isinstance(n, ast.FunctionDef) and n.name == "__eq__" for n in cls.body)
    indent = " " * init.col_offset
    params, defaults = init.args.args[1:], init.args.defaults
    pad = [None] * (len(params) - len(defaults)) + list(defaults)
    fields = [
        f"{indent}{p.arg}: {_segment(text, p.annotation)}"
        + (f" = {_segment(text, d)}" if d is not None else "")
        + "\n"
        for p, d in zip(params, pad, strict=True)
    ]
    first = (init.decorator_list[0].lineno if init.decorator_list else init.lineno) - 1
    last = init.end_lineno
    converted = (
        lines[: cls.lineno - 1]
        + [f"@dataclass{'' if has_eq else '(eq=False)'}\n"]
        + lines[cls.lineno - 1 : first]
    )
    converted += fields + lines[last:]
    with_import = (
        text
        if re.search(r"^from dataclasses import .*\bdataclass\b", text, re.M)
        else _add_import(text, tree)
    )
    offset = len(with_import.splitlines()) - len(lines)
    final_lines = with_import.splitlines(keepends=True)
    final = "".join(final_lines[: cls.lineno - 1 + offset]) + "".join(converted[cls.lineno - 1 :])
    edits = []
    if with_import != text:
        edits.append(Edit(rel, *minimal_edit(text, with_import)))
    edits.append(Edit(rel, *minimal_edit(with_import, final)))
    qual = cls.name
    tid = task_id(src.name, "refactoring", f"dataclass:{rel}:{qual}")
    rng = rng_for(tid, "phrase")
    return Task(
        id=tid,
        family="refactoring",
        source=src.name,
        instruction=rng.choice(_DATACLASS_PHRASES).format(cls=qual, path=rel),
        base=str(src.root),
        files={},
        verifier=Verifier(
            test_cmd=src.test_cmd,
            pin_base=src.pinned_tests(),
            checks=[Check("ast", "is_dataclass", args={"path": rel, "cls": qual})],
        ),
        solution=Solution(
            kind="dataclass",
            edits=edits,
            facts=DataclassFacts(
                path=rel,
                cls=qual,
                line=cls.lineno,
                end_line=init.end_lineno,
                fields=[p.arg for p in params],
                eq=has_eq,
            ),
        ),
        check_cmd=src.test_cmd,
        meta={"refactor": "dataclass"},
    )
