"""AST mutation operators that inject one small bug into Python source, as a minimal text edit.

Each operator finds nodes of one kind (a comparison, an arithmetic operator, an integer constant,
a call's arguments, ...) and rewrites only the characters of that node on its line, so the
mutant differs from the original by a line or two and the fix is a small ``edit_file``. A mutant
is kept here only if it still parses and its text differs from the original's; whether the tests
catch it is decided later by running them (``agentic_pipeline.tasks.validity``).

Also here: ``stub_function`` (the coding family: a body replaced by ``raise NotImplementedError``)
and ``minimal_edit`` (the smallest unique old/new text pair that turns one text into another).
"""

from __future__ import annotations

import ast
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

_CMP_SWAP = {
    ast.Lt: ("<", "<="),
    ast.LtE: ("<=", "<"),
    ast.Gt: (">", ">="),
    ast.GtE: (">=", ">"),
    ast.Eq: ("==", "!="),
    ast.NotEq: ("!=", "=="),
    ast.In: ("in", "not in"),
    ast.NotIn: ("not in", "in"),
    ast.Is: ("is", "is not"),
    ast.IsNot: ("is not", "is"),
}
_BIN_SWAP = {
    ast.Add: ("+", "-"),
    ast.Sub: ("-", "+"),
    ast.Mult: ("*", "//"),
    ast.Div: ("/", "*"),
    ast.FloorDiv: ("//", "/"),
    ast.Mod: ("%", "//"),
    ast.Pow: ("**", "*"),
    ast.LShift: ("<<", ">>"),
    ast.RShift: (">>", "<<"),
    ast.BitAnd: ("&", "|"),
    ast.BitOr: ("|", "&"),
}
_BOOL_SWAP = {ast.And: ("and", "or"), ast.Or: ("or", "and")}

OPERATORS = (
    "compare_swap",
    "arith_swap",
    "off_by_one",
    "wrong_constant",
    "bool_swap",
    "negate_condition",
    "remove_not",
    "drop_statement",
    "drop_branch",
    "swap_args",
    "wrong_variable",
    "slice_shift",
)


@dataclass
class Mutant:
    path: str
    operator: str
    line: int
    function: str | None
    description: str
    original: str
    mutated: str

    @property
    def key(self) -> str:
        """Identifies the mutation within its source file (part of the task id)."""
        digest = hashlib.sha256(self.mutated.encode()).hexdigest()[:12]
        return f"{self.path}:{self.line}:{self.operator}:{digest}"


# ----------------------------------------------------------------------------- text helpers


class _Lines:
    """Source lines with AST (UTF-8 byte) columns mapped to text."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines = source.splitlines(keepends=True)

    def segment(self, lineno: int, col: int, end_col: int) -> str:
        raw = self.lines[lineno - 1].encode()
        return raw[col:end_col].decode()

    def replace(self, edits: list[tuple[int, int, int, str]]) -> str:
        """Apply (lineno, col, end_col, text) replacements on single lines, right to left."""
        lines = list(self.lines)
        for lineno, col, end_col, text in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
            raw = lines[lineno - 1].encode()
            lines[lineno - 1] = (raw[:col] + text.encode() + raw[end_col:]).decode()
        return "".join(lines)

    def delete_lines(self, first: int, last: int) -> str:
        return "".join(self.lines[: first - 1] + self.lines[last:])


def _single_line(node: ast.AST) -> bool:
    return getattr(node, "lineno", None) is not None and node.lineno == node.end_lineno


def _between(lines: _Lines, left: ast.AST, right: ast.AST, token: str) -> tuple[int, int] | None:
    """Byte span of ``token`` between two nodes on the same line (skipping parentheses/space)."""
    if left.end_lineno != right.lineno:
        return None
    gap = lines.segment(right.lineno, left.end_col_offset, right.col_offset)
    words = r"\s+".join(re.escape(w) for w in token.split())
    pattern = (
        rf"(?<![\w=<>!*/]){words}(?![\w=<>*/])"
        if token[0].isalpha() or token in ("<", ">")
        else re.escape(token)
    )
    found = [m for m in re.finditer(pattern, gap)]
    if len(found) != 1:
        return None
    start = left.end_col_offset + len(gap[: found[0].start()].encode())
    return start, start + len(found[0].group().encode())


# ----------------------------------------------------------------------------- walking


def _walk(tree: ast.AST) -> Iterator[tuple[ast.AST, str | None, ast.AST | None]]:
    """Yield (node, enclosing function qualname, enclosing function node) for every node."""

    def visit(node: ast.AST, prefix: str, func: str | None, fnode: ast.AST | None):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                qual = f"{prefix}{child.name}"
                yield child, qual, child
                yield from visit(child, qual + ".", qual, child)
            elif isinstance(child, ast.ClassDef):
                yield child, func, fnode
                yield from visit(child, f"{prefix}{child.name}.", func, fnode)
            else:
                yield child, func, fnode
                yield from visit(child, prefix, func, fnode)

    yield from visit(tree, "", None, None)


def _is_docstring(stmt: ast.stmt, body: list[ast.stmt]) -> bool:
    return (
        body
        and stmt is body[0]
        and isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _main_guard_lines(tree: ast.Module) -> set[int]:
    """Lines under ``if __name__ == "__main__":`` (never mutated: tests don't run them)."""
    out: set[int] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
            out.update(range(node.lineno, node.end_lineno + 1))
    return out


# ----------------------------------------------------------------------------- operators


def _ops_for(node: ast.AST, lines: _Lines, fnode: ast.AST | None) -> Iterator[tuple[str, list, str]]:
    """Yield (operator, text replacements, description) for one node."""
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _CMP_SWAP:
        old, new = _CMP_SWAP[type(node.ops[0])]
        span = _between(lines, node.left, node.comparators[0], old)
        if span:
            yield "compare_swap", [(node.lineno, *span, new)], f"`{old}` replaced by `{new}`"
    elif isinstance(node, ast.BinOp) and type(node.op) in _BIN_SWAP and not _stringy(node):
        old, new = _BIN_SWAP[type(node.op)]
        span = _between(lines, node.left, node.right, old)
        if span:
            yield "arith_swap", [(node.lineno, *span, new)], f"`{old}` replaced by `{new}`"
    elif isinstance(node, ast.AugAssign) and type(node.op) in _BIN_SWAP and _single_line(node):
        old, new = _BIN_SWAP[type(node.op)]
        span = _between(lines, node.target, node.value, old + "=")
        if span and not _stringy(node.value):
            yield "arith_swap", [(node.lineno, *span, new + "=")], f"`{old}=` replaced by `{new}=`"
    elif isinstance(node, ast.BoolOp) and len(node.values) == 2 and _single_line(node):
        old, new = _BOOL_SWAP[type(node.op)]
        span = _between(lines, node.values[0], node.values[1], old)
        if span:
            yield "bool_swap", [(node.lineno, *span, new)], f"`{old}` replaced by `{new}`"
    elif isinstance(node, ast.Constant) and _single_line(node):
        yield from _constant_ops(node, lines)
    elif isinstance(node, ast.If | ast.While) and _single_line(node.test):
        text = lines.segment(node.test.lineno, node.test.col_offset, node.test.end_col_offset)
        if isinstance(node.test, ast.UnaryOp) and isinstance(node.test.op, ast.Not):
            return
        simple = isinstance(node.test, ast.Name | ast.Call | ast.Attribute | ast.Subscript)
        new = f"not {text}" if simple else f"not ({text})"
        span = (node.test.lineno, node.test.col_offset, node.test.end_col_offset, new)
        yield "negate_condition", [span], f"condition `{text}` negated"
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not) and _single_line(node):
        inner = lines.segment(node.operand.lineno, node.operand.col_offset, node.operand.end_col_offset)
        if _single_line(node.operand):
            yield "remove_not", [(node.lineno, node.col_offset, node.end_col_offset, inner)], "`not` removed"
    elif isinstance(node, ast.Call) and _single_line(node):
        yield from _call_ops(node, lines)
    elif isinstance(node, ast.Slice):
        for bound in (node.lower, node.upper):
            if (
                bound is not None
                and _single_line(bound)
                and isinstance(bound, ast.Name | ast.Call | ast.Attribute)
            ):
                text = lines.segment(bound.lineno, bound.col_offset, bound.end_col_offset)
                yield (
                    "slice_shift",
                    [(bound.lineno, bound.col_offset, bound.end_col_offset, f"{text} + 1")],
                    (f"slice bound `{text}` shifted by one"),
                )


def _stringy(node: ast.AST) -> bool:
    """String arithmetic (concatenation, %-formatting) is left alone: swapping it is not a bug people make."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.JoinedStr) or (
            isinstance(sub, ast.Constant) and isinstance(sub.value, str | bytes)
        ):
            return True
    return False


def _constant_ops(node: ast.Constant, lines: _Lines) -> Iterator[tuple[str, list, str]]:
    value = node.value
    span = (node.lineno, node.col_offset, node.end_col_offset)
    if isinstance(value, bool):
        yield "wrong_constant", [(*span, str(not value))], f"`{value}` replaced by `{not value}`"
    elif isinstance(value, int):
        text = lines.segment(*span)
        if not text.isdigit():
            return  # hex, octal, underscores: keep the edit readable
        new = value + 1 if value == 0 or (value * 7919) % 2 else value - 1
        yield "off_by_one", [(*span, str(new))], f"`{value}` replaced by `{new}`"
    elif isinstance(value, float) and value not in (0.0,):
        new = repr(value * 2)
        yield "wrong_constant", [(*span, new)], f"`{value!r}` replaced by `{new}`"


def _call_ops(node: ast.Call, lines: _Lines) -> Iterator[tuple[str, list, str]]:
    args = node.args
    if len(args) >= 2 and not any(isinstance(a, ast.Starred) for a in args[:2]):
        a, b = args[0], args[1]
        if _single_line(a) and _single_line(b):
            ta = lines.segment(a.lineno, a.col_offset, a.end_col_offset)
            tb = lines.segment(b.lineno, b.col_offset, b.end_col_offset)
            if ta != tb:
                edits = [
                    (a.lineno, a.col_offset, a.end_col_offset, tb),
                    (b.lineno, b.col_offset, b.end_col_offset, ta),
                ]
                yield "swap_args", edits, f"arguments `{ta}` and `{tb}` swapped"
    if isinstance(node.func, ast.Name) and node.func.id == "range" and args:
        last = args[1] if len(args) >= 2 else args[0]
        if isinstance(last, ast.Name | ast.Call | ast.Attribute) and _single_line(last):
            text = lines.segment(last.lineno, last.col_offset, last.end_col_offset)
            edit = [(last.lineno, last.col_offset, last.end_col_offset, f"{text} - 1")]
            yield "off_by_one", edit, f"range bound `{text}` reduced by one"


def _statement_ops(tree: ast.Module, lines: _Lines) -> Iterator[tuple[ast.stmt, str | None, str, str]]:
    """Statement-level mutants: (statement, function, operator, mutated source)."""
    for node, func, fnode in _walk(tree):
        if fnode is None:
            continue
        for body_name in ("body", "orelse", "finalbody"):
            body = getattr(node, body_name, None)
            if not isinstance(body, list) or len(body) < 2:
                continue
            assigned_before: set[str] = set(_params(fnode))
            for stmt in body:
                if _is_docstring(stmt, body) or not _own_lines(stmt, lines):
                    continue
                if _droppable(stmt, assigned_before):
                    yield stmt, func, "drop_statement", lines.delete_lines(stmt.lineno, stmt.end_lineno)
                if isinstance(stmt, ast.If) and not stmt.orelse and len(stmt.body) == 1:
                    yield stmt, func, "drop_branch", lines.delete_lines(stmt.lineno, stmt.end_lineno)
                for target in _assigned_names(stmt):
                    assigned_before.add(target)


def _params(fnode: ast.AST) -> list[str]:
    a = fnode.args
    return [p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]] + [
        p.arg for p in (a.vararg, a.kwarg) if p is not None
    ]


def _assigned_names(stmt: ast.stmt) -> list[str]:
    targets = []
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, ast.AugAssign | ast.AnnAssign | ast.For):
        targets = [stmt.target]
    return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]


def _droppable(stmt: ast.stmt, assigned_before: set[str]) -> bool:
    if isinstance(stmt, ast.AugAssign):
        return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        return True
    if isinstance(stmt, ast.Assign):
        names = _assigned_names(stmt)
        # Re-assignments only: dropping a first assignment gives a NameError, not a bug worth fixing.
        return (
            bool(names)
            and all(n in assigned_before for n in names)
            or any(isinstance(t, ast.Attribute | ast.Subscript) for t in stmt.targets)
        )
    return False


def _own_lines(stmt: ast.stmt, lines: _Lines) -> bool:
    """The statement starts its first line and ends its last one (no ``a = 1; b = 2``)."""
    first = lines.lines[stmt.lineno - 1].encode()[: stmt.col_offset]
    last = lines.lines[stmt.end_lineno - 1].encode()[stmt.end_col_offset :].decode().strip()
    return not first.strip() and (not last or last.startswith("#"))


def _variable_ops(tree: ast.Module, lines: _Lines) -> Iterator[tuple[ast.AST, str | None, list, str]]:
    """wrong_variable: a local read replaced by another local of the same function defined earlier."""
    for node, func, _ in _walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        known = [p for p in _params(node) if p not in ("self", "cls")]
        seen_lines: set[int] = set()
        for sub in ast.walk(node):
            if (
                isinstance(sub, ast.Name)
                and isinstance(sub.ctx, ast.Load)
                and sub.id in known
                and sub.lineno not in seen_lines
            ):
                others = [k for k in known if k != sub.id]
                if not others:
                    continue
                pick = others[
                    int(hashlib.sha256(f"{func}{sub.lineno}".encode()).hexdigest(), 16) % len(others)
                ]
                seen_lines.add(sub.lineno)
                yield (
                    sub,
                    func,
                    [(sub.lineno, sub.col_offset, sub.end_col_offset, pick)],
                    (f"`{sub.id}` replaced by `{pick}`"),
                )


# ----------------------------------------------------------------------------- public API


def mutants(source: str, path: str, parse_check: bool = True) -> list[Mutant]:
    """Every single-edit mutant of ``source`` (a file at ``path``), in source order, deduplicated.

    ``parse_check=False`` skips re-parsing each mutant (``sample`` does it for the ones it picks),
    which is most of the cost on a large module.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    lines = _Lines(source)
    skip = _main_guard_lines(tree)
    out: dict[str, Mutant] = {}

    def add(op: str, line: int, func: str | None, desc: str, mutated: str) -> None:
        if line in skip or mutated == source or (parse_check and not _parses(mutated)):
            return
        m = Mutant(path, op, line, func, desc, source, mutated)
        out.setdefault(m.key, m)

    for node, func, fnode in _walk(tree):
        if fnode is None or _is_docstring_node(node, fnode):
            continue
        for op, edits, desc in _ops_for(node, lines, fnode):
            add(op, edits[0][0], func, desc, lines.replace(edits))
    for stmt, func, op, mutated in _statement_ops(tree, lines):
        first = lines.lines[stmt.lineno - 1].strip()
        add(op, stmt.lineno, func, f"`{first}` removed", mutated)
    for node, func, edits, desc in _variable_ops(tree, lines):
        add("wrong_variable", node.lineno, func, desc, lines.replace(edits))
    return sorted(out.values(), key=lambda m: (m.line, m.operator, m.key))


def _is_docstring_node(node: ast.AST, fnode: ast.AST) -> bool:
    body = getattr(fnode, "body", [])
    return bool(body) and _is_docstring(body[0], body) and node is body[0].value


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True


def sample(items: list[Mutant], limit: int, salt: str = "") -> list[Mutant]:
    """At most ``limit`` mutants that parse, spread over operators (round-robin), deterministic."""
    by_op: dict[str, list[Mutant]] = {}
    for m in sorted(items, key=lambda m: hashlib.sha256(f"{salt}{m.key}".encode()).hexdigest()):
        by_op.setdefault(m.operator, []).append(m)
    picked: list[Mutant] = []
    while len(picked) < limit and any(by_op.values()):
        for op in sorted(by_op):
            while by_op[op] and len(picked) < limit:
                m = by_op[op].pop(0)
                if _parses(m.mutated):
                    picked.append(m)
                    break
    return sorted(picked, key=lambda m: (m.path, m.line, m.key))


@dataclass
class Stub:
    path: str
    function: str
    line: int
    original: str
    stubbed: str
    body: str


def stubs(source: str, path: str, min_lines: int = 2, max_lines: int = 40) -> list[Stub]:
    """Functions and methods whose body (docstring kept) can be replaced by ``raise NotImplementedError``."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    lines = _Lines(source)
    skip = _main_guard_lines(tree)
    out = []
    for node, func, _ in _walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or node.lineno in skip:
            continue
        if "." in func and func.rsplit(".", 2)[-2][:1].islower():
            continue  # nested in a function
        body = node.body[1:] if _is_docstring(node.body[0], node.body) else node.body
        if not body or body[0].lineno == node.lineno:
            continue
        first, last = body[0].lineno, body[-1].end_lineno
        if not min_lines <= last - first + 1 <= max_lines or not _own_lines(body[0], lines):
            continue
        if (
            last < len(lines.lines)
            and lines.lines[last].strip()
            and not _dedented(lines.lines[last], body[0])
        ):
            continue  # something follows on the body's indentation we would eat
        indent = lines.lines[first - 1][: len(lines.lines[first - 1]) - len(lines.lines[first - 1].lstrip())]
        body_text = "".join(lines.lines[first - 1 : last])
        stubbed = (
            "".join(lines.lines[: first - 1])
            + f"{indent}raise NotImplementedError\n"
            + "".join(lines.lines[last:])
        )
        try:
            ast.parse(stubbed)
        except SyntaxError:
            continue
        out.append(Stub(path, func, node.lineno, source, stubbed, body_text))
    return out


def _dedented(line: str, first_stmt: ast.stmt) -> bool:
    return len(line) - len(line.lstrip()) < first_stmt.col_offset + 1


def minimal_edit(before: str, after: str, context: int = 0) -> tuple[str, str]:
    """The smallest (old, new) with ``old`` occurring exactly once in ``before`` that turns it into ``after``.

    Whole lines are used (an agent's edit is line-based), widened with context lines until unique.
    """
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    if a == b:
        raise ValueError("texts are equal")
    # The changed span is what lies between the common leading and trailing lines (a diff of the
    # whole file would find the same span, at a cost quadratic in a large module's length).
    prefix = 0
    while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(a), len(b)) - prefix and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    i1, i2, j1, j2 = prefix, len(a) - suffix, prefix, len(b) - suffix
    lo, hi = context, context
    while True:
        s, e = max(0, i1 - lo), min(len(a), i2 + hi)
        old = "".join(a[s:e])
        new = "".join(a[s:i1] + b[j1:j2] + a[i2:e])
        if old.strip() and before.count(old) == 1:
            return old, new
        if s == 0 and e == len(a):
            return old, new
        lo, hi = lo + 1, hi + (1 if lo % 2 == 0 else 0)
