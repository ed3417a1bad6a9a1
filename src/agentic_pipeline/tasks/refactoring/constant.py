"""Refactoring kind ``extract_constant``: a magic number in a function becomes a module-level constant
with a given name (private in stdlib modules, whose tests check their public names).

The oracle's plan for this kind is ``plan_extract_constant`` in
``agentic_pipeline.policies.oracle.refactoring``; they share ``ConstantFacts``.
"""

from __future__ import annotations

import ast

from agentic_pipeline.tasks.base import Check, Edit, Solution, Task, Verifier, task_id
from agentic_pipeline.tasks.code_families import rng_for
from agentic_pipeline.tasks.facts import ConstantFacts
from agentic_pipeline.tasks.mutate import minimal_edit
from agentic_pipeline.tasks.refactoring.common import insert_point, word_count
from agentic_pipeline.tasks.sources import CodeSource

_CONST_PHRASES = (
    "In {path}, `{func}` uses the magic number {text}. Replace it with a module-level constant named `{name}` "
    "(defined once near the top of the module) and use the constant in `{func}`. Behaviour must not change.",
    "Refactor `{func}` ({path}): extract the literal {text} into a module-level constant `{name}` and refer to it "
    "instead. The tests must keep passing.",
    "Replace the hard-coded {text} in `{func}` with a named constant `{name}` at module level in {path}.",
)


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _constant_name(func: str, parent: ast.AST | None) -> str:
    role = "VALUE"
    if isinstance(parent, ast.Compare):
        role = "LIMIT"
    elif isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Mult | ast.Div | ast.FloorDiv | ast.Pow):
        role = "FACTOR"
    elif isinstance(parent, ast.BinOp):
        role = "OFFSET"
    elif isinstance(parent, ast.Call):
        role = "ARG"
    base = func.rsplit(".", 1)[-1].strip("_").upper()
    return f"{base}_{role}"


def constant_tasks(src: CodeSource, per_file: int = 8) -> list[Task]:
    out = []
    for rel in src.src_files:
        text = src.read(rel)
        tree = ast.parse(text)
        parents = _parents(tree)
        module_names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        found = 0
        for fn in [n for n in tree.body if isinstance(n, ast.FunctionDef)] + [
            m
            for c in tree.body
            if isinstance(c, ast.ClassDef)
            for m in c.body
            if isinstance(m, ast.FunctionDef)
        ]:
            qual = fn.name if fn in tree.body else f"{_owner(tree, fn)}.{fn.name}"
            lits = [
                n
                for stmt in fn.body
                for n in ast.walk(stmt)
                if isinstance(n, ast.Constant)
                and type(n.value) in (int, float)
                and n.value not in (0, 1, 2, -1, 10, 100)
                and n.lineno == n.end_lineno
                and not isinstance(parents.get(n), ast.JoinedStr | ast.FormattedValue | ast.UnaryOp)
            ]
            values = [
                n.value for n in ast.walk(fn) if isinstance(n, ast.Constant) and type(n.value) in (int, float)
            ]
            for lit in lits:
                if values.count(lit.value) != 1:
                    continue
                # Stdlib modules check their public names (__all__) in their tests: keep the constant private.
                name = ("_" if src.kind == "stdlib" else "") + _constant_name(qual, parents.get(lit))
                if not name.isidentifier() or name in module_names or word_count(text, name):
                    continue
                out.append(_constant_task(src, rel, text, tree, qual, lit, name))
                found += 1
                break
            if found >= per_file:
                break
    return out


def _owner(tree: ast.Module, fn: ast.FunctionDef) -> str:
    return next(c.name for c in tree.body if isinstance(c, ast.ClassDef) and fn in c.body)


def _constant_task(src, rel, text, tree, func, lit, name) -> Task:
    lines = text.splitlines(keepends=True)
    literal = lines[lit.lineno - 1].encode()[lit.col_offset : lit.end_col_offset].decode()
    at = insert_point(lines, tree)
    with_const = "".join(lines[:at]) + f"\n{name} = {literal}\n" + "".join(lines[at:])
    shift = 2
    lines2 = with_const.splitlines(keepends=True)
    raw = lines2[lit.lineno - 1 + shift].encode()
    lines2[lit.lineno - 1 + shift] = (
        raw[: lit.col_offset] + name.encode() + raw[lit.end_col_offset :]
    ).decode()
    final = "".join(lines2)
    e1, e2 = minimal_edit(text, with_const), minimal_edit(with_const, final)
    tid = task_id(src.name, "refactoring", f"constant:{rel}:{func}:{literal}")
    rng = rng_for(tid, "phrase")
    return Task(
        id=tid,
        family="refactoring",
        source=src.name,
        instruction=rng.choice(_CONST_PHRASES).format(path=rel, func=func, text=literal, name=name),
        base=str(src.root),
        files={},
        verifier=Verifier(
            test_cmd=src.test_cmd,
            pin_base=src.pinned_tests(),
            checks=[
                Check(
                    "ast",
                    "constant_extracted",
                    args={"path": rel, "function": func, "name": name, "value": lit.value},
                )
            ],
        ),
        solution=Solution(
            kind="extract_constant",
            edits=[Edit(rel, *e1), Edit(rel, *e2)],
            facts=ConstantFacts(
                path=rel, function=func, name=name, literal=literal, line=lit.lineno, insert_after=at
            ),
        ),
        check_cmd=src.test_cmd,
        meta={"refactor": "constant"},
    )
