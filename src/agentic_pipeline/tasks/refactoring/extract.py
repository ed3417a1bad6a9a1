"""Refactoring kind ``extract``: the guard statements (checks that raise or call) two functions of one
scope share become one helper both call.

The oracle's plan for this kind is ``plan_extract`` in ``agentic_pipeline.policies.oracle.refactoring``;
they share ``ExtractFacts``.
"""

from __future__ import annotations

import ast
import builtins

from agentic_pipeline.tasks.base import Check, Edit, Solution, Task, Verifier, task_id
from agentic_pipeline.tasks.code_families import rng_for
from agentic_pipeline.tasks.facts import ExtractFacts
from agentic_pipeline.tasks.mutate import minimal_edit
from agentic_pipeline.tasks.refactoring.common import word_count
from agentic_pipeline.tasks.sources import CodeSource

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
    if word_count(text, helper):
        helper = f"{helper}_{f.name.strip('_')}"
        if word_count(text, helper):
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
            # In the order they apply: g's block, f's block, then the helper.
            edits=[
                Edit(rel, *minimal_edit(text, t1)),
                Edit(rel, *minimal_edit(t1, t2)),
                Edit(rel, *minimal_edit(t2, t3)),
            ],
            facts=ExtractFacts(
                path=rel,
                f=qual_f,
                g=qual_g,
                helper=helper,
                n=k,
                f_lines=[block_f[0].lineno, block_f[-1].end_lineno],
                g_lines=[block_g[0].lineno, block_g[-1].end_lineno],
                first=ast.unparse(block_f[0]).splitlines()[0],
            ),
        ),
        check_cmd=src.test_cmd,
        meta={"refactor": "extract"},
    )


def _params_of(fn: ast.FunctionDef) -> list[str]:
    a = fn.args
    return [p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]]
