"""Refactoring kinds ``comprehension`` and ``enumerate``, the two loop rewrites, found by pattern (exact
shapes only, see ``find_comprehension_loops`` and ``find_index_loops``) and behaviour-preserving by
construction, with the source's tests as the second check:

- build a list with a comprehension instead of ``name = []`` plus an append-only loop;
- iterate with ``enumerate(seq)`` instead of ``range(len(seq))`` plus ``seq[i]``.

A task is kept only when nothing but the loop's function changes. The oracle's plans for these kinds
are ``plan_comprehension`` and ``plan_enumerate`` in ``agentic_pipeline.policies.oracle.refactoring``;
they share ``ComprehensionFacts`` and ``EnumerateFacts``.
"""

from __future__ import annotations

import ast
import builtins

from agentic_pipeline.tasks.base import Check, Edit, Solution, Task, Verifier, task_id
from agentic_pipeline.tasks.code_families import rng_for
from agentic_pipeline.tasks.facts import ComprehensionFacts, EnumerateFacts
from agentic_pipeline.tasks.mutate import minimal_edit
from agentic_pipeline.tasks.refactoring.common import comment_lines, functions, untouched_same
from agentic_pipeline.tasks.sources import CodeSource

_COMPREHENSION_PHRASES = (
    "In {path}, `{func}` builds the list `{name}` with an empty list and a `for` loop that only appends. "
    "Rewrite it as a list comprehension. Behaviour must not change: `{cmd}` must still pass.",
    "Refactor `{func}` ({path}): replace the append loop that fills `{name}` by a list comprehension. "
    "Keep the behaviour; check with `{cmd}`.",
    "`{name}` in `{func}` ({path}) is built by `{name} = []` plus a loop of `{name}.append(...)`. Turn that "
    "into a single list comprehension, without changing what the function does (`{cmd}` must pass).",
    "Make `{func}` in {path} more idiomatic: build `{name}` with a list comprehension instead of appending "
    "in a loop. Run `{cmd}` to confirm nothing changed.",
)


_ENUMERATE_PHRASES = (
    "In {path}, `{func}` loops with `for {i} in range(len({seq}))` and indexes `{seq}[{i}]`. Iterate with "
    "`enumerate({seq})` instead (name the element `{item}`). Behaviour must not change: `{cmd}` must pass.",
    "Refactor `{func}` ({path}): replace the `range(len({seq}))` loop by `for {i}, {item} in enumerate({seq})` "
    "and use `{item}` where it reads `{seq}[{i}]`. Check with `{cmd}`.",
    "`{func}` in {path} indexes `{seq}` by position inside a `range(len(...))` loop. Use `enumerate` so the "
    "element comes with its index (call it `{item}`); the tests (`{cmd}`) must keep passing.",
    "Make the loop over `{seq}` in `{func}` ({path}) idiomatic: `enumerate({seq})` instead of "
    "`range(len({seq}))`, with `{item}` for the element. No behaviour change (`{cmd}`).",
)


_NO_MOVE = (ast.Lambda, ast.NamedExpr, ast.Yield, ast.YieldFrom, ast.Await, ast.FunctionDef, ast.ClassDef)


def _blocks(fn: ast.FunctionDef) -> list[list[ast.stmt]]:
    """Every statement list of ``fn``'s own body (not of nested functions or classes)."""
    out, todo = [], [fn]
    while todo:
        node = todo.pop()
        for field_name in ("body", "orelse", "finalbody"):
            stmts = getattr(node, field_name, None)
            if isinstance(stmts, list) and stmts and isinstance(stmts[0], ast.stmt):
                out.append(stmts)
                todo += [
                    s
                    for s in stmts
                    if not isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                ]
        for h in getattr(node, "handlers", []):
            out.append(h.body)
            todo += h.body
        for case in getattr(node, "cases", []):
            out.append(case.body)
            todo += case.body
    return out


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _outside(fn: ast.AST, inner: ast.AST) -> list[ast.AST]:
    """Nodes of ``fn`` not inside ``inner``."""
    skip = {id(n) for n in ast.walk(inner)}
    return [n for n in ast.walk(fn) if id(n) not in skip]


def _declared(fn: ast.FunctionDef) -> set[str]:
    return {x for n in ast.walk(fn) if isinstance(n, ast.Global | ast.Nonlocal) for x in n.names}


def _appended(stmt: ast.stmt, name: str) -> ast.expr | None:
    """``x`` when ``stmt`` is exactly ``name.append(x)``."""
    if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
        return None
    call = stmt.value
    ok = (
        isinstance(call.func, ast.Attribute)
        and call.func.attr == "append"
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id == name
        and len(call.args) == 1
        and not call.keywords
        and not isinstance(call.args[0], ast.Starred)
    )
    return call.args[0] if ok else None


def find_comprehension_loops(text: str) -> list[dict]:
    """``name = []`` directly followed by a ``for`` whose body only appends to ``name`` (optionally under one
    ``if``): the spans that become ``name = [expr for target in iterable if cond]``, in file order."""
    tree = ast.parse(text)
    comments = comment_lines(text)
    out = []
    for qual, fn in functions(tree):
        declared = _declared(fn)
        for block in _blocks(fn):
            for init, loop in zip(block, block[1:], strict=False):
                found = _comprehension_at(text, fn, init, loop, declared, comments)
                if found is not None:
                    out.append({"function": qual, **found})
    return sorted(out, key=lambda f: f["line"])


def _comprehension_at(text, fn, init, loop, declared, comments) -> dict | None:
    if isinstance(init, ast.Assign) and len(init.targets) == 1:
        target = init.targets[0]
    elif isinstance(init, ast.AnnAssign) and init.value is not None and init.simple:
        target = init.target
    else:
        return None
    if not (isinstance(target, ast.Name) and isinstance(init.value, ast.List) and not init.value.elts):
        return None
    name = target.id
    if not isinstance(loop, ast.For) or loop.orelse or len(loop.body) != 1 or name in declared:
        return None
    if not (
        isinstance(loop.target, ast.Name)
        or (isinstance(loop.target, ast.Tuple) and all(isinstance(e, ast.Name) for e in loop.target.elts))
    ):
        return None
    stmt, cond, other = loop.body[0], None, None
    if isinstance(stmt, ast.If):
        if len(stmt.body) != 1 or len(stmt.orelse) > 1:
            return None
        if stmt.orelse:  # if c: name.append(a) else: name.append(b) -> [a if c else b for ...]
            other = _appended(stmt.orelse[0], name)
            if other is None:
                return None
        cond, stmt = stmt.test, stmt.body[0]
    expr = _appended(stmt, name)
    if expr is None:
        return None
    parts = [expr, loop.iter] + ([cond] if cond is not None else []) + ([other] if other is not None else [])
    if any(isinstance(n, _NO_MOVE) for p in parts for n in ast.walk(p)) or any(
        name in _names(p) for p in parts
    ):
        return None
    # The loop variables must not be read or written anywhere else in the function (a comprehension
    # keeps them to itself); the list must not be appended to anywhere else.
    targets = _names(loop.target)
    rest = _outside(fn, loop)
    if any(isinstance(n, ast.Name) and n.id in targets for n in rest) or targets & declared:
        return None
    if any(isinstance(n, ast.arg) and n.arg in targets for n in rest):
        return None
    appends = [
        n
        for n in ast.walk(fn)
        if isinstance(n, ast.Attribute)
        and n.attr == "append"
        and isinstance(n.value, ast.Name)
        and n.value.id == name
    ]
    if len(appends) != (1 if other is None else 2):
        return None
    first, last = init.lineno, loop.end_lineno
    if init.lineno != init.end_lineno or comments & set(range(first, last + 1)):
        return None
    segs = [
        ast.get_source_segment(text, p) for p in (expr, loop.target, loop.iter, cond, other) if p is not None
    ]
    if any(s is None or "\n" in s for s in segs):
        return None
    if other is not None:
        a, c, b = [
            f"({x})" if isinstance(n, ast.IfExp | ast.Lambda) else x
            for n, x in ((expr, segs[0]), (cond, segs[3]), (other, segs[4]))
        ]
        segs[0], expr, cond = f"{a} if {c} else {b}", ast.IfExp(cond, expr, other), None
    lines = text.splitlines(keepends=True)
    head = lines[first - 1].encode()[: init.value.col_offset].decode()
    tail = lines[first - 1].encode()[init.value.end_col_offset :].decode()
    if tail.strip():
        return None
    expr_s, target_s, iter_s = segs[0], segs[1], segs[2]
    if isinstance(expr, ast.Tuple) and not expr_s.startswith("("):
        expr_s = f"({expr_s})"
    clauses = [expr_s, f"for {target_s} in {iter_s}"] + ([f"if {segs[3]}"] if cond is not None else [])
    one = f"{head}[{' '.join(clauses)}]\n"
    if len(one.rstrip("\n")) <= 100:
        new = one
    else:
        ind = " " * init.col_offset
        new = f"{head}[\n" + "".join(f"{ind}    {c}\n" for c in clauses) + f"{ind}]\n"
    return {
        "name": name,
        "line": first,
        "end_line": last,
        "new": new,
        "cond": cond is not None,
        "choice": other is not None,
    }


def _singular(seq: str) -> str:
    base = seq.lstrip("_")
    if base.endswith("ies") and len(base) > 4:
        return base[:-3] + "y"
    if base.endswith("s") and not base.endswith("ss") and len(base) > 2:
        return base[:-1]
    return f"{base}_item" if base else "item"


def find_index_loops(text: str) -> list[dict]:
    """``for i in range(len(seq)):`` loops whose body reads ``seq[i]`` and never changes ``seq`` or ``i``:
    they become ``for i, item in enumerate(seq):`` with ``seq[i]`` read as ``item``. In file order."""
    tree = ast.parse(text)
    out = []
    for qual, fn in functions(tree):
        declared = _declared(fn)
        used = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)} | {
            a.arg for a in ast.walk(fn) if isinstance(a, ast.arg)
        }
        loops = [n for n in ast.walk(fn) if isinstance(n, ast.For)]
        for loop in loops:
            found = _index_loop(text, fn, loop, declared, used)
            if found is not None:
                out.append({"function": qual, **found})
    return sorted(out, key=lambda f: f["line"])


def _range_len(loop: ast.For) -> tuple[str, str] | None:
    it = loop.iter
    if not (
        isinstance(loop.target, ast.Name)
        and isinstance(it, ast.Call)
        and isinstance(it.func, ast.Name)
        and it.func.id == "range"
        and len(it.args) == 1
        and not it.keywords
    ):
        return None
    inner = it.args[0]
    if not (
        isinstance(inner, ast.Call)
        and isinstance(inner.func, ast.Name)
        and inner.func.id == "len"
        and len(inner.args) == 1
        and isinstance(inner.args[0], ast.Name)
    ):
        return None
    return loop.target.id, inner.args[0].id


def _index_loop(text, fn, loop, declared, used) -> dict | None:
    found = _range_len(loop)
    if found is None or loop.orelse:
        return None
    i, seq = found
    if i == seq or {i, seq} & declared:
        return None
    reads, others = [], []
    for stmt in loop.body:
        for n in ast.walk(stmt):
            if isinstance(n, _NO_MOVE[:2] + (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
                return None
            if (
                isinstance(n, ast.Subscript)
                and isinstance(n.value, ast.Name)
                and n.value.id == seq
                and isinstance(n.slice, ast.Name)
                and n.slice.id == i
            ):
                if not isinstance(n.ctx, ast.Load):
                    return None
                reads.append(n)
            elif isinstance(n, ast.Name) and n.id in (i, seq):
                if not isinstance(n.ctx, ast.Load):
                    return None  # the index or the sequence is rebound in the loop
                others.append(n)
    read_ids = {id(r.value) for r in reads} | {id(r.slice) for r in reads}
    if not reads or any(n.id == seq and id(n) not in read_ids for n in others):
        return None  # no seq[i] to replace, or seq used otherwise (it might change under the loop)
    if any(r.lineno != r.end_lineno for r in reads):
        return None
    item = _singular(seq)
    if not item.isidentifier() or item in used or hasattr(builtins, item) or item in ("self", "cls"):
        return None
    lines = text.splitlines(keepends=True)
    new_lines = list(lines[loop.lineno - 1 : loop.end_lineno])
    # Replace each read right to left on its line so the earlier columns stay valid.
    for r in sorted(reads, key=lambda r: (r.lineno, r.col_offset), reverse=True):
        k = r.lineno - loop.lineno
        raw = new_lines[k].encode()
        new_lines[k] = (raw[: r.col_offset] + item.encode() + raw[r.end_col_offset :]).decode()
    head = new_lines[0].encode()
    it = loop.iter
    if it.lineno != loop.lineno or it.end_lineno != loop.lineno or loop.target.lineno != loop.lineno:
        return None
    new_head = (
        head[: loop.target.col_offset]
        + f"{i}, {item}".encode()
        + head[loop.target.end_col_offset : it.col_offset]
        + f"enumerate({seq})".encode()
        + head[it.end_col_offset :]
    ).decode()
    new_lines[0] = new_head
    uses_index = any(n.id == i and id(n) not in read_ids for n in others)
    return {
        "seq": seq,
        "index": i,
        "item": item,
        "line": loop.lineno,
        "end_line": loop.end_lineno,
        "new": "".join(new_lines),
        "reads": len(reads),
        "uses_index": uses_index,
    }


def _refactored(text: str, first: int, last: int, new: str) -> str | None:
    """``text`` with lines ``first..last`` replaced by ``new``, when it parses and only ``function`` changed."""
    lines = text.splitlines(keepends=True)
    out = "".join(lines[: first - 1]) + new + "".join(lines[last:])
    try:
        ast.parse(out)
    except SyntaxError:
        return None
    return out


def _loop_tasks(src: CodeSource, kind: str, find, per_file: int) -> list[Task]:
    """Tasks for the loops ``find`` spots in each file, kept when only the loop's function changes."""
    out = []
    for rel in src.src_files:
        text = src.read(rel)
        for f in find(text)[:per_file]:
            final = _refactored(text, f["line"], f["end_line"], f["new"])
            if final is None or not untouched_same(text, final, f["function"]):
                continue
            out.append(_loop_task(src, rel, text, final, kind, f))
    return out


def comprehension_tasks(src: CodeSource, per_file: int = 8) -> list[Task]:
    return _loop_tasks(src, "comprehension", find_comprehension_loops, per_file)


def enumerate_tasks(src: CodeSource, per_file: int = 8) -> list[Task]:
    return _loop_tasks(src, "enumerate", find_index_loops, per_file)


def _loop_task(src: CodeSource, rel: str, text: str, final: str, kind: str, f: dict) -> Task:
    func = f["function"]
    if kind == "comprehension":
        key, check = (
            f["name"],
            Check("ast", "comprehension_built", args={"path": rel, "function": func, "name": f["name"]}),
        )
        phrases, fmt = _COMPREHENSION_PHRASES, {"name": f["name"]}
        facts_type: type[ComprehensionFacts | EnumerateFacts] = ComprehensionFacts
    else:
        key = f"{f['seq']}:{f['index']}"
        check = Check("ast", "enumerated", args={"path": rel, "function": func, "seq": f["seq"]})
        phrases, fmt = _ENUMERATE_PHRASES, {"seq": f["seq"], "i": f["index"], "item": f["item"]}
        facts_type = EnumerateFacts
    tid = task_id(src.name, "refactoring", f"{kind}:{rel}:{func}:{key}:{f['line']}")
    rng = rng_for(tid, "phrase")
    old, new = minimal_edit(text, final)
    return Task(
        id=tid,
        family="refactoring",
        source=src.name,
        instruction=rng.choice(phrases).format(path=rel, func=func, cmd=src.test_cmd, **fmt),
        base=str(src.root),
        files={},
        verifier=Verifier(test_cmd=src.test_cmd, pin_base=src.pinned_tests(), checks=[check]),
        solution=Solution(
            kind=kind,
            edits=[Edit(rel, old, new)],
            facts=facts_type(path=rel, **{k: v for k, v in f.items() if k != "new"}),
        ),
        check_cmd=src.test_cmd,
        meta={"refactor": kind},
    )
