"""The refactoring family: behaviour-preserving changes checked by the tests AND an AST predicate.

- rename a function or class across the project (definition, call sites, imports, tests): old name gone,
  new name defined once and used;
- replace a magic number in a function by a module-level constant with a given name;
- turn a plain class whose ``__init__`` only stores its arguments into a ``@dataclass``;
- extract the guard statements (checks that raise) two functions share into one helper both call.

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
    if src.kind == "stdlib":
        return constant_tasks(src, per_file=15)
    return rename_tasks(src) + constant_tasks(src) + dataclass_tasks(src) + extract_tasks(src)
