"""Refactoring kind ``fstring``: an f-string instead of ``%s``/``%r`` formatting or ``str.format`` on a
string literal, found by pattern (exact shapes only, see ``find_format_calls``): behaviour-preserving by
construction, with the source's tests as the second check. One task per function, all its
expressions at once (the predicate asks that none is left in the function).

The oracle's plan for this kind is ``plan_fstring`` in ``agentic_pipeline.policies.oracle.refactoring``;
they share ``FstringFacts``.
"""

from __future__ import annotations

import ast
import re
import string

from agentic_pipeline.tasks.base import Check, Edit, Solution, Task, Verifier, task_id
from agentic_pipeline.tasks.code_families import rng_for
from agentic_pipeline.tasks.facts import FstringFacts
from agentic_pipeline.tasks.mutate import minimal_edit
from agentic_pipeline.tasks.predicates import _old_style_formatting
from agentic_pipeline.tasks.refactoring.common import comment_lines, functions, untouched_same
from agentic_pipeline.tasks.sources import CodeSource

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
    comments, lines = comment_lines(text), text.splitlines(keepends=True)
    out = []
    for qual, fn in functions(tree):
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
            if not untouched_same(text, final, func) or _formatting_left(ast.parse(final), func):
                continue
            out.append(_fstring_task(src, rel, text, final, func, fs))
            n += 1
    return out


def _formatting_left(tree: ast.Module, func: str) -> bool:
    fn = dict(functions(tree)).get(func)
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
            facts=FstringFacts(
                path=rel,
                function=func,
                lines=[f["line"] for f in fs],
                snippets=[f["snippet"] for f in fs],
                fstrings=[f["fstring"] for f in fs],
                styles=styles,
            ),
        ),
        check_cmd=src.test_cmd,
        meta={"refactor": "fstring"},
    )
