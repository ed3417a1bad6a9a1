"""Derived code_quality candidates: a shipped best implementation with lint smells added.

Each smell is a small, behaviour-preserving rewrite that a linter reports; a derived candidate is a
base implementation (rank 1 of any Python problem of the catalogue) plus a set of smells, and the
claim is that fewer smells is better: ``base+A`` beats ``base+B`` whenever A is a strict subset of B.
Nothing here is assumed: every derived candidate is measured like a shipped one (tests in the
sandbox, ruff, radon), so a rewrite that broke behaviour or that the linter does not see is
dropped by the judge with its reason.

Smells (a smell applies only where its pattern occurs; at most ``MAX_SMELLS`` per base):

- ``unused-imports``: two modules imported and never used (F401).
- ``none-equality``: ``x is None`` / ``is not None`` written as ``== None`` / ``!= None`` (E711).
- ``negated-membership``: ``if x not in y`` written ``if not x in y`` (E713).
- ``useless-try``: the entry function's body wrapped in ``try: ... except: raise`` (TRY203).
- ``semicolons``: two consecutive simple assignments on one line (E702).
- ``nested-if``: ``if a and b:`` (no else) split into two nested ifs (SIM102).
- ``ambiguous-name``: a loop variable renamed ``l`` (E741).
"""

from __future__ import annotations

import ast
import io
import itertools
import re
import tokenize
from collections.abc import Callable

from agentic_pipeline.generate.prefs.catalog import Candidate, Problem

MAX_SMELLS = 4
_SPARE_MODULES = ("os", "sys", "re", "json", "math", "time")


def _lines(code: str) -> list[str]:
    return code.splitlines(keepends=True)


def _multiline_strings(tree: ast.AST) -> list[tuple[int, int]]:
    return [(n.lineno, n.end_lineno or n.lineno) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and (n.end_lineno or n.lineno) > n.lineno]  # fmt: skip


def _indent_block(lines: list[str], first: int, last: int, tree: ast.AST) -> list[str] | None:
    """Indent lines first..last (1-based) by 4 spaces; None if a multi-line string would change."""
    if any(lo <= last and hi >= first for lo, hi in _multiline_strings(tree)):
        return None
    return [
        ("    " + line if first <= i <= last and line.strip() else line)
        for i, line in enumerate(lines, start=1)
    ]


def unused_imports(code: str) -> str | None:
    tree = ast.parse(code)
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)
                for a in getattr(n, "names", [])} | {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}  # fmt: skip
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    spare = [m for m in _SPARE_MODULES if m not in imported and m not in names][:2]
    body = tree.body
    start = (
        1
        if body
        and isinstance(body[0], ast.Expr)
        and isinstance(getattr(body[0], "value", None), ast.Constant)
        else 0
    )
    while (
        start < len(body) and isinstance(body[start], ast.ImportFrom) and body[start].module == "__future__"
    ):
        start += 1
    if len(spare) < 2 or start >= len(body):
        return None
    at = body[start].lineno - 1
    lines = _lines(code)
    gap = ["\n", "\n"] if isinstance(body[start], ast.FunctionDef | ast.ClassDef) else []
    return "".join(lines[:at] + [f"import {m}\n" for m in spare] + gap + lines[at:])


def none_equality(code: str) -> str | None:
    new = re.sub(r"\bis not None\b", "!= None", code)
    new = re.sub(r"\bis None\b", "== None", new)
    return new if new != code else None


def negated_membership(code: str) -> str | None:
    pattern = re.compile(r"^(\s*(?:if|elif|while) )([A-Za-z_][\w.]*) not in (.+):\s*$", re.M)
    new = pattern.sub(r"\1not \2 in \3:", code)
    return new if new != code else None


def _entry_function(tree: ast.Module) -> ast.FunctionDef | None:
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]
    return functions[-1] if functions else None


def useless_try(code: str) -> str | None:
    tree = ast.parse(code)
    fn = _entry_function(tree)
    if fn is None:
        return None
    body = fn.body
    has_doc = isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant)
    if has_doc and len(body) == 1:
        return None
    first_stmt = body[1] if has_doc else body[0]
    first, last = first_stmt.lineno, fn.end_lineno or first_stmt.lineno
    lines = _lines(code)
    indented = _indent_block(lines, first, last, tree)
    if indented is None:
        return None
    pad = " " * first_stmt.col_offset
    tail = indented[last:]
    return "".join(indented[: first - 1] + [f"{pad}try:\n"] + indented[first - 1 : last]
                   + [f"{pad}except:\n", f"{pad}    raise\n"] + tail)  # fmt: skip


def semicolons(code: str) -> str | None:
    simple = re.compile(r"^(\s*)[A-Za-z_][\w.]*(?:, [A-Za-z_][\w.]*)* = [^:#\[\](){}\n]+\n$")
    lines = _lines(code)
    for i in range(len(lines) - 1):
        a, b = simple.match(lines[i]), simple.match(lines[i + 1])
        if a and b and a.group(1) == b.group(1):
            joined = lines[i].rstrip("\n") + "; " + lines[i + 1].lstrip()
            return "".join(lines[:i] + [joined] + lines[i + 2 :])
    return None


def nested_if(code: str) -> str | None:
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.If) and not node.orelse and isinstance(node.test, ast.BoolOp)):
            continue
        if (
            not isinstance(node.test.op, ast.And)
            or len(node.test.values) != 2
            or node.test.end_lineno != node.lineno
        ):
            continue
        left, right = (ast.get_source_segment(code, v) for v in node.test.values)
        lines = _lines(code)
        first, last = node.body[0].lineno, node.end_lineno or node.lineno
        indented = _indent_block(lines, first, last, tree)
        if indented is None or left is None or right is None:
            continue
        pad = " " * node.col_offset
        head = [f"{pad}if {left}:\n", f"{pad}    if {right}:\n"]
        return "".join(indented[: node.lineno - 1] + head + indented[node.lineno : last] + indented[last:])
    return None


def ambiguous_name(code: str) -> str | None:
    tree = ast.parse(code)
    targets = [n.target.id for n in ast.walk(tree) if isinstance(n, ast.For | ast.comprehension)
               and isinstance(n.target, ast.Name) and len(n.target.id) > 1]  # fmt: skip
    tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    if not targets or any(t.type == tokenize.NAME and t.string == "l" for t in tokens):
        return None
    name = targets[0]
    spots = []
    for i, tok in enumerate(tokens):
        if tok.type == tokenize.STRING and re.search(rf"\b{name}\b", tok.string):
            return None  # maybe an f-string naming it: a rename there would break it
        if tok.type != tokenize.NAME or tok.string != name:
            continue
        before, after = tokens[i - 1].string if i else "", tokens[i + 1].string if i + 1 < len(tokens) else ""
        if before == "." or (after == "=" and tokens[i + 1].start[1] == tok.end[1]):
            return None  # an attribute or a keyword argument of that name: renaming would change behaviour
        spots.append(tok.start)
    lines = _lines(code)
    for row, col in sorted(spots, reverse=True):
        line = lines[row - 1]
        lines[row - 1] = line[:col] + "l" + line[col + len(name) :]
    return "".join(lines)


SMELLS: dict[str, Callable[[str], str | None]] = {
    "unused-imports": unused_imports,
    "none-equality": none_equality,
    "negated-membership": negated_membership,
    "useless-try": useless_try,
    "semicolons": semicolons,
    "nested-if": nested_if,
    "ambiguous-name": ambiguous_name,
}


def apply_smells(code: str, smells: tuple[str, ...]) -> str | None:
    """``code`` with each smell applied in order; None if one does not apply or breaks the syntax."""
    for smell in smells:
        new = SMELLS[smell](code)
        if new is None:
            return None
        try:
            ast.parse(new)
        except SyntaxError:
            return None
        code = new
    return code


def applicable(code: str) -> tuple[str, ...]:
    return tuple(s for s in SMELLS if apply_smells(code, (s,)) is not None)[:MAX_SMELLS]


def derived_problem(source: Problem) -> Problem | None:
    """A code_quality problem over ``source``'s best Python implementations and their smelly copies."""
    if source.language != "python":
        return None
    candidates: list[Candidate] = []
    claims: list[tuple[str, str]] = []
    for base in (c for c in source.candidates if c.rank == 1):
        smells = applicable(base.code)
        subsets = [s for k in range(len(smells) + 1) for s in itertools.combinations(smells, k)]
        names = {}
        for subset in subsets:
            code = apply_smells(base.code, subset)
            if code is None:
                continue
            names[subset] = "+".join((base.name, *subset))
            candidates.append(Candidate(name=names[subset], code=code, origin="derived"))
        claims += [(names[a], names[b]) for a in names for b in names if set(a) < set(b)]
    if not claims:
        return None
    return Problem(
        category="code_quality",
        name=f"derived-{source.category}-{source.name}",
        title=source.title,
        task=source.task,
        file=source.file,
        tests=source.tests,
        candidates=tuple(candidates),
        claims=tuple(claims),
    )
