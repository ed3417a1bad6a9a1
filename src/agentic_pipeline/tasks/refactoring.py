"""The refactoring family: behaviour-preserving changes checked by the tests AND an AST predicate.

- rename a function or class across the project (definition, call sites, imports, tests): old name gone,
  new name defined once and used;
- replace a magic number in a function by a module-level constant with a given name;
- turn a plain class whose ``__init__`` only stores its arguments into a ``@dataclass``;
- extract the guard statements (checks that raise) two functions share into one helper both call;
- build a list with a comprehension instead of ``name = []`` plus an append-only loop;
- iterate with ``enumerate(seq)`` instead of ``range(len(seq))`` plus ``seq[i]``;
- write an f-string instead of ``%s``/``%r`` or ``str.format`` on a string literal.

The last three are found by pattern (exact shapes only, see ``find_*``) and are behaviour-preserving by
construction; the source's tests are the second check.

For the rename, the tests themselves must change; the verifier restores them renamed the same way
(word-boundary replacement), so an agent cannot pass by editing them in some other way.
"""

from __future__ import annotations

import ast
import builtins
import re

from agentic_pipeline.tasks.base import Check, Edit, Solution, Task, Verifier, task_id
from agentic_pipeline.tasks.code_families import rng_for
from agentic_pipeline.tasks.mutate import minimal_edit
from agentic_pipeline.tasks.sources import CodeSource

_VERBS = {
    "get": "fetch",
    "fetch": "retrieve",
    "compute": "calculate",
    "calculate": "compute",
    "calc": "compute",
    "make": "build",
    "build": "construct",
    "create": "make",
    "parse": "decode",
    "format": "render",
    "render": "format",
    "load": "read",
    "read": "load",
    "save": "store",
    "write": "emit",
    "add": "insert",
    "remove": "delete",
    "delete": "remove",
    "find": "locate",
    "check": "validate",
    "validate": "check",
    "update": "refresh",
    "split": "divide",
    "merge": "combine",
    "apply": "run",
    "convert": "transform",
    "normalize": "canonicalize",
    "count": "tally",
    "sort": "order",
    "filter": "select",
    "resolve": "determine",
    "evaluate": "eval",
    "serialize": "encode",
    "tokenize": "lex",
    "allocate": "distribute",
    "schedule": "plan",
    "shortest": "minimal",
    "detect": "find",
    "summarize": "summarise",
}

# Class renames swap the last word of the CamelCase name for a synonym.
_NOUNS = {
    "Cache": "Store",
    "Graph": "Network",
    "Inventory": "Stockroom",
    "Calendar": "Agenda",
    "Parser": "Reader",
    "Tokenizer": "Lexer",
    "Lexer": "Tokenizer",
    "Limiter": "Throttle",
    "Bucket": "Reservoir",
    "Report": "Summary",
    "Item": "Article",
    "Interval": "Span",
    "Window": "Frame",
    "Stats": "Metrics",
    "Node": "Vertex",
    "Table": "Grid",
    "Event": "Occurrence",
    "Entry": "Record",
    "Config": "Settings",
    "Result": "Outcome",
    "Builder": "Factory",
    "Registry": "Catalog",
    "Scheduler": "Planner",
    "Evaluator": "Interpreter",
}

_RENAME_PHRASES = (
    "Rename the {kind} `{old}` to `{new}` everywhere in this project: its definition, every call site, "
    "the imports and the tests. Behaviour must not change; the tests must still pass.",
    "Refactor: `{old}` should be called `{new}`. Update the definition and all references (tests included) "
    "and make sure the test suite still passes.",
    "Please rename `{old}` -> `{new}` across the codebase, including tests. No behaviour change.",
)
_CONST_PHRASES = (
    "In {path}, `{func}` uses the magic number {text}. Replace it with a module-level constant named `{name}` "
    "(defined once near the top of the module) and use the constant in `{func}`. Behaviour must not change.",
    "Refactor `{func}` ({path}): extract the literal {text} into a module-level constant `{name}` and refer to it "
    "instead. The tests must keep passing.",
    "Replace the hard-coded {text} in `{func}` with a named constant `{name}` at module level in {path}.",
)
_DATACLASS_PHRASES = (
    "Convert the class `{cls}` in {path} into a dataclass: its `__init__` only stores its arguments, so let "
    "`@dataclass` generate it. Keep the behaviour (the tests must pass).",
    "Refactor `{cls}` ({path}) to use `@dataclass` instead of a hand-written `__init__`. Same fields, same "
    "defaults, same behaviour.",
    "`{cls}` in {path} is boilerplate: replace its `__init__` with dataclass fields (`@dataclass`). Tests must "
    "still pass.",
)


def _new_class_name(old: str) -> str | None:
    words = re.findall(r"[A-Z][a-z0-9]*|[A-Z]+(?![a-z])", old.lstrip("_"))
    if not words or words[-1] not in _NOUNS or "".join(words) != old.lstrip("_"):
        return None
    return old[: len(old) - len(old.lstrip("_"))] + "".join(words[:-1]) + _NOUNS[words[-1]]


def _new_name(old: str) -> str | None:
    private = old.startswith("_")
    words = old.lstrip("_").split("_")
    if words[0] not in _VERBS:
        return None
    new = "_".join([_VERBS[words[0]], *words[1:]])
    return ("_" if private else "") + new


def _defs(tree: ast.Module) -> dict[str, ast.AST]:
    return {
        n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }


def _word_count(text: str, word: str) -> int:
    return len(re.findall(rf"\b{re.escape(word)}\b", text))


def _all_py(src: CodeSource) -> dict[str, str]:
    return {
        str(p.relative_to(src.root)): p.read_text()
        for p in sorted(src.root.rglob("*.py"))
        if "__pycache__" not in p.parts
    }


def rename_tasks(src: CodeSource) -> list[Task]:
    files = _all_py(src)
    out = []
    for rel in src.src_files:
        tree = ast.parse(files[rel])
        for name, node in _defs(tree).items():
            if name.startswith("__") or hasattr(builtins, name):
                continue
            is_class = isinstance(node, ast.ClassDef)
            new = _new_class_name(name) if is_class else _new_name(name)
            if new is None or hasattr(builtins, new) or any(_word_count(t, new) for t in files.values()):
                continue
            uses = sum(_word_count(t, name) for t in files.values())
            keyword = "class" if is_class else r"(?:async\s+)?def"
            defined = sum(
                len(re.findall(rf"^\s*{keyword} {re.escape(name)}\b", t, re.M)) for t in files.values()
            )
            if defined != 1 or uses < 2:
                continue
            out.append(_rename_task(src, files, rel, name, new, "class" if is_class else "function"))
    return out


def _rename_task(src: CodeSource, files: dict[str, str], rel: str, old: str, new: str, kind: str) -> Task:
    tid = task_id(src.name, "refactoring", f"rename:{old}:{new}")
    rng = rng_for(tid, "phrase")
    pattern = rf"\b{re.escape(old)}\b"
    pinned = {t: re.sub(pattern, new, files[t]) for t in src.test_files}
    cmd = f"grep -rlw --include='*.py' {old} . | xargs sed -i 's/\\b{old}\\b/{new}/g'"
    return Task(
        id=tid,
        family="refactoring",
        source=src.name,
        instruction=rng.choice(_RENAME_PHRASES).format(old=old, new=new, kind=kind),
        base=str(src.root),
        files={},
        verifier=Verifier(
            test_cmd=src.test_cmd,
            pinned=pinned,
            checks=[Check("ast", "renamed", args={"old": old, "new": new})],
        ),
        solution=Solution(kind="rename", commands=[cmd], facts={"old": old, "new": new, "path": rel}),
        check_cmd=src.test_cmd,
        meta={"refactor": "rename"},
    )


# ----------------------------------------------------------------------------- magic numbers


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


def _insert_point(lines: list[str], tree: ast.Module) -> int:
    """0-based line index after the module docstring and the top-level imports."""
    end = 0
    for node in tree.body:
        is_doc = node is tree.body[0] and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        if isinstance(node, ast.Import | ast.ImportFrom) or is_doc:
            end = node.end_lineno
        else:
            break
    return end


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
                if not name.isidentifier() or name in module_names or _word_count(text, name):
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
    at = _insert_point(lines, tree)
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
            facts={
                "path": rel,
                "function": func,
                "name": name,
                "literal": literal,
                "line": lit.lineno,
                "insert_after": at,
            },
        ),
        check_cmd=src.test_cmd,
        meta={"refactor": "constant"},
    )


# ----------------------------------------------------------------------------- dataclasses


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
    at = _insert_point(lines, tree)
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
            facts={
                "path": rel,
                "cls": qual,
                "line": cls.lineno,
                "end_line": init.end_lineno,
                "fields": [p.arg for p in params],
                "eq": has_eq,
            },
        ),
        check_cmd=src.test_cmd,
        meta={"refactor": "dataclass"},
    )


# ----------------------------------------------------------------------------- duplicated guards

_EXTRACT_PHRASES = (
    "`{f}` and `{g}` in {path} repeat the same {n} statements. Extract them into a helper `{helper}` "
    "and call it from both. Behaviour must not change (the tests must pass).",
    "Remove the duplication between `{f}` and `{g}` ({path}): move their identical checks into one helper named "
    "`{helper}` that both call.",
    "Refactor {path}: the checks repeated in `{f}` and `{g}` belong in a single helper, `{helper}`. Extract it.",
)
_UNSAFE = (
    ast.Assign,
    ast.AugAssign,
    ast.AnnAssign,
    ast.NamedExpr,
    ast.Return,
    ast.Yield,
    ast.YieldFrom,
    ast.Await,
    ast.Break,
    ast.Continue,
    ast.Global,
    ast.Nonlocal,
    ast.For,
    ast.While,
    ast.With,
    ast.Try,
    ast.Import,
    ast.ImportFrom,
    ast.FunctionDef,
    ast.Lambda,
    ast.Delete,
)


def _guard(stmt: ast.stmt) -> bool:
    """A statement that only checks and raises or calls: safe to move into a helper as it is."""
    if not isinstance(stmt, ast.If | ast.Assert | ast.Expr | ast.Raise):
        return False
    return not any(isinstance(n, _UNSAFE) for n in ast.walk(stmt))


def _body(fn: ast.FunctionDef) -> list[ast.stmt]:
    b = fn.body
    return b[1:] if b and isinstance(b[0], ast.Expr) and isinstance(b[0].value, ast.Constant) else b


def _common_guards(f: ast.FunctionDef, g: ast.FunctionDef) -> tuple[int, int, int] | None:
    """(start in f, start in g, length) of the longest shared run of >= 2 guard statements."""
    fb, gb = [ast.dump(x) for x in _body(f)], [ast.dump(x) for x in _body(g)]
    fs = _body(f)
    best = None
    for i in range(len(fb)):
        for j in range(len(gb)):
            k = 0
            while i + k < len(fb) and j + k < len(gb) and fb[i + k] == gb[j + k] and _guard(fs[i + k]):
                k += 1
            if k >= 2 and (best is None or k > best[2]):
                best = (i, j, k)
    return best


def extract_tasks(src: CodeSource) -> list[Task]:
    out = []
    for rel in src.src_files:
        text = src.read(rel)
        tree = ast.parse(text)
        scopes = [(None, [n for n in tree.body if isinstance(n, ast.FunctionDef)])] + [
            (c, [n for n in c.body if isinstance(n, ast.FunctionDef)])
            for c in tree.body
            if isinstance(c, ast.ClassDef)
        ]
        module_names = (
            set(dir(builtins))
            | {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
            | {
                a.asname or a.name.split(".")[0]
                for n in ast.walk(tree)
                if isinstance(n, ast.Import | ast.ImportFrom)
                for a in n.names
            }
        )
        module_names |= {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
        for cls, fns in scopes:
            for a in range(len(fns)):
                for b in range(a + 1, len(fns)):
                    task = _extract_task(src, rel, text, tree, cls, fns[a], fns[b], module_names)
                    if task is not None:
                        out.append(task)
    return out


def _extract_task(src, rel, text, tree, cls, f, g, module_names) -> Task | None:
    found = _common_guards(f, g)
    if found is None:
        return None
    i, j, k = found
    block_f, block_g = _body(f)[i : i + k], _body(g)[j : j + k]
    loaded = {n.id for s in block_f for n in ast.walk(s) if isinstance(n, ast.Name)}
    params_f, params_g = _params_of(f), _params_of(g)
    args = sorted(loaded & set(params_f))
    if not set(args) <= set(params_g) or not (loaded - set(args)) <= module_names:
        return None
    method = cls is not None
    if method:
        if not (params_f[:1] == params_g[:1] == ["self"]) or f.decorator_list or g.decorator_list:
            return None
        args = ["self"] + [x for x in args if x != "self"]
    elif "self" in args:
        return None
    helper = (
        "_validate_inputs"
        if any(isinstance(n, ast.Raise | ast.Assert) for s in block_f for n in ast.walk(s))
        else "_shared_steps"
    )
    if _word_count(text, helper):
        helper = f"{helper}_{f.name.strip('_')}"
        if _word_count(text, helper):
            return None
    call_args = ", ".join(x for x in args if x != "self")
    call = f"self.{helper}({call_args})" if method else f"{helper}({call_args})"
    lines = text.splitlines(keepends=True)
    body_indent = " " * block_f[0].col_offset
    def_indent = " " * f.col_offset
    block_text = "".join(lines[block_f[0].lineno - 1 : block_f[-1].end_lineno])
    inner = " " * (f.col_offset + 4)
    helper_body = "".join(
        (inner + ln[len(body_indent) :]) if ln.strip() else ln for ln in block_text.splitlines(keepends=True)
    )
    signature = ", ".join(args)
    doc = f'{inner}"""Checks shared by `{f.name}` and `{g.name}`."""\n'
    helper_def = f"{def_indent}def {helper}({signature}) -> None:\n{doc}{helper_body}"
    helper_def += "\n" if method else "\n\n"
    # Bottom-up so earlier line numbers stay valid: g's block, f's block, then the helper before f.
    step1 = lines[: block_g[0].lineno - 1] + [f"{body_indent}{call}\n"] + lines[block_g[-1].end_lineno :]
    step2 = step1[: block_f[0].lineno - 1] + [f"{body_indent}{call}\n"] + step1[block_f[-1].end_lineno :]
    first_line = (f.decorator_list[0].lineno if f.decorator_list else f.lineno) - 1
    step3 = step2[:first_line] + [helper_def] + step2[first_line:]
    t1, t2, t3 = "".join(step1), "".join(step2), "".join(step3)
    try:
        ast.parse(t3)
    except SyntaxError:
        return None
    qual_f = f"{cls.name}.{f.name}" if cls else f.name
    qual_g = f"{cls.name}.{g.name}" if cls else g.name
    qual_h = f"{cls.name}.{helper}" if cls else helper
    tid = task_id(src.name, "refactoring", f"extract:{rel}:{qual_f}:{qual_g}")
    rng = rng_for(tid, "phrase")
    return Task(
        id=tid,
        family="refactoring",
        source=src.name,
        instruction=rng.choice(_EXTRACT_PHRASES).format(f=qual_f, g=qual_g, path=rel, n=k, helper=helper),
        base=str(src.root),
        files={},
        verifier=Verifier(
            test_cmd=src.test_cmd,
            pin_base=src.pinned_tests(),
            checks=[
                Check(
                    "ast",
                    "extracted",
                    args={
                        "path": rel,
                        "helper": qual_h,
                        "callers": [qual_f, qual_g],
                        "block": [ast.dump(s) for s in block_f],
                    },
                )
            ],
        ),
        solution=Solution(
            kind="extract",
            edits=[
                Edit(rel, *minimal_edit(t2, t3)),
                Edit(rel, *minimal_edit(text, t1)),
                Edit(rel, *minimal_edit(t1, t2)),
            ],
            facts={
                "path": rel,
                "f": qual_f,
                "g": qual_g,
                "helper": helper,
                "n": k,
                "f_lines": [block_f[0].lineno, block_f[-1].end_lineno],
                "g_lines": [block_g[0].lineno, block_g[-1].end_lineno],
                "first": ast.unparse(block_f[0]).splitlines()[0],
            },
        ),
        check_cmd=src.test_cmd,
        meta={"refactor": "extract"},
    )


def _params_of(fn: ast.FunctionDef) -> list[str]:
    a = fn.args
    return [p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]]


def refactoring_tasks(src: CodeSource) -> list[Task]:
    loops = comprehension_tasks(src) + enumerate_tasks(src) + fstring_tasks(src)
    if src.kind == "stdlib":
        return constant_tasks(src, per_file=15) + loops
    return rename_tasks(src) + constant_tasks(src) + dataclass_tasks(src) + extract_tasks(src) + loops


# ----------------------------------------------------------------------------- loops: comprehension, enumerate

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


def _functions(tree: ast.Module) -> list[tuple[str, ast.FunctionDef]]:
    """(qualified name, node) of the module's functions and its classes' methods."""
    out = [(n.name, n) for n in tree.body if isinstance(n, ast.FunctionDef)]
    for c in tree.body:
        if isinstance(c, ast.ClassDef):
            out += [(f"{c.name}.{m.name}", m) for m in c.body if isinstance(m, ast.FunctionDef)]
    return out


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


def _comment_lines(text: str) -> set[int]:
    import io
    import tokenize

    try:
        return {
            t.start[0]
            for t in tokenize.generate_tokens(io.StringIO(text).readline)
            if t.type == tokenize.COMMENT
        }
    except (tokenize.TokenError, SyntaxError):
        return set(range(1, text.count("\n") + 2))


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
    comments = _comment_lines(text)
    out = []
    for qual, fn in _functions(tree):
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
    for qual, fn in _functions(tree):
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


def _untouched_same(before: str, after: str, qual: str) -> bool:
    """Every function other than ``qual`` has the same AST before and after."""
    a = {q: ast.dump(f) for q, f in _functions(ast.parse(before))}
    b = {q: ast.dump(f) for q, f in _functions(ast.parse(after))}
    return a.keys() == b.keys() and all(a[q] == b[q] for q in a if q != qual) and a[qual] != b[qual]


def _loop_tasks(src: CodeSource, kind: str, find, per_file: int) -> list[Task]:
    """Tasks for the loops ``find`` spots in each file, kept when only the loop's function changes."""
    out = []
    for rel in src.src_files:
        text = src.read(rel)
        for f in find(text)[:per_file]:
            final = _refactored(text, f["line"], f["end_line"], f["new"])
            if final is None or not _untouched_same(text, final, f["function"]):
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
    else:
        key = f"{f['seq']}:{f['index']}"
        check = Check("ast", "enumerated", args={"path": rel, "function": func, "seq": f["seq"]})
        phrases, fmt = _ENUMERATE_PHRASES, {"seq": f["seq"], "i": f["index"], "item": f["item"]}
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
            facts={"path": rel, **{k: v for k, v in f.items() if k != "new"}},
        ),
        check_cmd=src.test_cmd,
        meta={"refactor": kind},
    )


# ----------------------------------------------------------------------------- f-strings

_FSTRING_PHRASES = (
    "In {path}, `{func}` formats a string with {style}: `{snippet}`. Rewrite it as an f-string with the "
    "same output. Behaviour must not change: `{cmd}` must pass.",
    "Refactor `{func}` ({path}): replace the {style} on line {line} by an equivalent f-string. "
    "Check with `{cmd}`.",
    "Modernise `{func}` in {path}: `{snippet}` should be an f-string producing the same text. The tests "
    "(`{cmd}`) must keep passing.",
    "Use an f-string instead of {style} in `{func}` ({path}, line {line}); same result, and `{cmd}` must "
    "still pass.",
)
_PERCENT = re.compile(r"%(?:(%)|([sr]))")


def _pure(node: ast.expr) -> bool:
    """Safe to evaluate in another order, or not at all, or twice."""
    return all(
        isinstance(n, ast.Name | ast.Attribute | ast.Constant | ast.Subscript | ast.Load)
        for n in ast.walk(node)
    )


def _literal_body(text: str, node: ast.Constant) -> tuple[str, str, str] | None:
    """(prefix, quote, body) of a one-line, non-implicitly-concatenated plain string literal."""
    seg = ast.get_source_segment(text, node)
    if seg is None or "\n" in seg:
        return None
    m = re.fullmatch(r"([rRuU]?)('|\")(.*)\2", seg, re.S)
    if m is None or m.group(2) in m.group(3).replace("\\" + m.group(2), ""):
        return None  # implicit concatenation ("a" "b") or a triple-quoted string
    prefix = m.group(1).lower().replace("u", "")
    return prefix, m.group(2), m.group(3)


def _field(text: str, arg: ast.expr, quote: str) -> str | None:
    seg = ast.get_source_segment(text, arg)
    if seg is None or "\n" in seg or "\\" in seg or quote in seg or "#" in seg:
        return None
    if isinstance(
        arg, ast.Name | ast.Attribute | ast.Subscript | ast.Call | ast.Constant
    ) and not seg.startswith("{"):
        return seg if not isinstance(arg, ast.Constant) or not isinstance(arg.value, str) else None
    return f"({seg})"


def _percent_fstring(text: str, node: ast.BinOp) -> str | None:
    lit = _literal_body(text, node.left)
    if lit is None or not isinstance(node.right, ast.Tuple):
        return None
    prefix, quote, body = lit
    args = node.right.elts
    if any(isinstance(a, ast.Starred) for a in args):
        return None
    if body.count("%") != node.left.value.count("%"):
        return None
    out, k, pos = [], 0, 0
    for m in _PERCENT.finditer(body):
        if "%" in body[pos : m.start()]:
            return None  # another conversion (%d, %-10s, ...) whose meaning an f-string would change
        out.append(body[pos : m.start()].replace("{", "{{").replace("}", "}}"))
        pos = m.end()
        if m.group(1):
            out.append("%")
            continue
        if k >= len(args):
            return None
        field = _field(text, args[k], quote)
        if field is None:
            return None
        out.append("{" + field + ("!r" if m.group(2) == "r" else "") + "}")
        k += 1
    rest = body[pos:]
    if "%" in rest or k != len(args) or k == 0:
        return None  # another conversion (%d, %-10s, ...) whose meaning an f-string would change
    out.append(rest.replace("{", "{{").replace("}", "}}"))
    return f"{prefix}f{quote}{''.join(out)}{quote}"


def _format_fstring(text: str, node: ast.Call) -> str | None:
    import string

    lit = _literal_body(text, node.func.value)
    if lit is None or any(isinstance(a, ast.Starred) for a in node.args):
        return None
    if any(kw.arg is None for kw in node.keywords):
        return None
    prefix, quote, body = lit
    if "\\" in body and "r" not in prefix and re.search(r"\\[{}]", body):
        return None
    try:
        parsed = list(string.Formatter().parse(node.func.value.value))
    except ValueError:
        return None
    fields: dict[str, ast.expr] = {str(i): a for i, a in enumerate(node.args)}
    fields.update({kw.arg: kw.value for kw in node.keywords})
    # Rebuild from the source text: the literal parts keep their escapes, so split the source body the same way.
    try:
        src_parsed = list(string.Formatter().parse(body))
    except ValueError:
        return None
    if len(src_parsed) != len(parsed):
        return None
    out, auto, used = [], 0, []
    for (lit_part, name, spec, conv), (_, name0, spec0, conv0) in zip(src_parsed, parsed, strict=True):
        out.append(lit_part.replace("{", "{{").replace("}", "}}"))
        if name is None:
            continue
        if (
            name != name0
            or spec != spec0
            or conv != conv0
            or "{" in (spec or "")
            or (conv or "s") not in "sra"
        ):
            return None
        m = re.fullmatch(r"(\w*)(.*)", name)
        key, attrs = m.group(1), m.group(2)
        if key == "":
            key, auto = str(auto), auto + 1
        if key not in fields or (attrs and not re.fullmatch(r"(\.\w+)+", attrs)):
            return None
        field = _field(text, fields[key], quote)
        if field is None:
            return None
        used.append(key)
        out.append("{" + field + attrs + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "") + "}")
    args_in_order = [str(i) for i in range(len(node.args))] + [kw.arg for kw in node.keywords]
    if not used:
        return None
    if set(used) != set(args_in_order):
        return None  # an unused argument would no longer be evaluated (it may raise)
    if used != args_in_order and not all(_pure(a) for a in fields.values()):
        return None  # evaluation order or count would change
    return f"{prefix}f{quote}{''.join(out)}{quote}"


def find_format_calls(text: str) -> list[dict]:
    """%-formatting (``%s``/``%r`` only, tuple right side) and ``.format`` on a string literal inside a
    function, that an f-string reproduces exactly. In file order."""
    tree = ast.parse(text)
    comments, lines = _comment_lines(text), text.splitlines(keepends=True)
    out = []
    for qual, fn in _functions(tree):
        for n in ast.walk(fn):
            new, style = None, ""
            if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mod) and isinstance(n.left, ast.Constant):
                if isinstance(n.left.value, str):
                    new, style = _percent_fstring(text, n), "%-formatting"
            elif (
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and n.func.attr == "format"
                and isinstance(n.func.value, ast.Constant)
                and isinstance(n.func.value.value, str)
            ):
                new, style = _format_fstring(text, n), "`str.format`"
            if new is None or comments & set(range(n.lineno, n.end_lineno + 1)):
                continue
            joined = len(lines[n.lineno - 1].encode()[: n.col_offset]) + len(new.encode())
            joined += len(lines[n.end_lineno - 1].encode()[n.end_col_offset :].rstrip())
            if n.lineno != n.end_lineno and joined > 110:
                continue  # a multi-line expression is joined onto one line only when that stays short
            snippet = ast.get_source_segment(text, n)
            out.append(
                {
                    "function": qual,
                    "line": n.lineno,
                    "col": n.col_offset,
                    "end_line": n.end_lineno,
                    "end_col": n.end_col_offset,
                    "snippet": re.sub(r"\s*\n\s*", " ", snippet),
                    "fstring": new,
                    "style": style,
                }
            )
    # An expression nested in another one's arguments is left to a later pass (its span would overlap).
    spans = [((f["line"], f["col"]), (f["end_line"], f["end_col"])) for f in out]
    out = [
        f
        for f in out
        if not any(
            a <= (f["line"], f["col"])
            and (f["end_line"], f["end_col"]) <= b
            and (a, b) != ((f["line"], f["col"]), (f["end_line"], f["end_col"]))
            for a, b in spans
        )
    ]
    return sorted(out, key=lambda f: (f["line"], f["col"]))


def fstring_tasks(src: CodeSource, per_file: int = 8) -> list[Task]:
    out = []
    for rel in src.src_files:
        text = src.read(rel)
        found = find_format_calls(text)
        # One per function: the predicate asks that no such formatting remains in the whole function.
        by_func: dict[str, list[dict]] = {}
        for f in found:
            by_func.setdefault(f["function"], []).append(f)
        n = 0
        for func, fs in by_func.items():
            if n >= per_file:
                break
            lines = text.splitlines(keepends=True)
            for f in sorted(fs, key=lambda f: (f["line"], f["col"]), reverse=True):
                head = lines[f["line"] - 1].encode()[: f["col"]]
                tail = lines[f["end_line"] - 1].encode()[f["end_col"] :]
                lines[f["line"] - 1 : f["end_line"]] = [(head + f["fstring"].encode() + tail).decode()]
            final = "".join(lines)
            try:
                ast.parse(final)
            except SyntaxError:
                continue
            # Skip functions with other literal %/.format uses this finder rejects: the predicate would fail.
            if not _untouched_same(text, final, func) or _formatting_left(ast.parse(final), func):
                continue
            out.append(_fstring_task(src, rel, text, final, func, fs))
            n += 1
    return out


def _formatting_left(tree: ast.Module, func: str) -> bool:
    from agentic_pipeline.tasks.predicates import _old_style_formatting

    fn = dict(_functions(tree)).get(func)
    return fn is None or bool(_old_style_formatting(fn))


def _fstring_task(src: CodeSource, rel: str, text: str, final: str, func: str, fs: list[dict]) -> Task:
    first = fs[0]
    tid = task_id(src.name, "refactoring", f"fstring:{rel}:{func}:{first['line']}")
    rng = rng_for(tid, "phrase")
    styles = sorted({f["style"] for f in fs})
    old, new = minimal_edit(text, final)
    return Task(
        id=tid,
        family="refactoring",
        source=src.name,
        instruction=rng.choice(_FSTRING_PHRASES).format(
            path=rel,
            func=func,
            cmd=src.test_cmd,
            style=" and ".join(styles),
            snippet=first["snippet"],
            line=first["line"],
        )
        + ("" if len(fs) == 1 else f" (There are {len(fs)} such expressions in `{func}`; convert them all.)"),
        base=str(src.root),
        files={},
        verifier=Verifier(
            test_cmd=src.test_cmd,
            pin_base=src.pinned_tests(),
            checks=[Check("ast", "fstring_used", args={"path": rel, "function": func})],
        ),
        solution=Solution(
            kind="fstring",
            edits=[Edit(rel, old, new)],
            facts={
                "path": rel,
                "function": func,
                "lines": [f["line"] for f in fs],
                "snippets": [f["snippet"] for f in fs],
                "fstrings": [f["fstring"] for f in fs],
                "styles": styles,
            },
        ),
        check_cmd=src.test_cmd,
        meta={"refactor": "fstring"},
    )
