"""The names a piece of Python reads but does not define: what an edit relies on already existing.

``names_read(code)`` parses ``code`` (a function, a few statements, or a fragment that only parses
once dedented) and returns the free names it loads (called functions, module constants, imported
modules' names used bare) and ``self.<attr>`` reads of attributes it does not assign, minus what it
binds itself (parameters, assignments, loop and comprehension variables, imports, nested defs,
``except ... as``, ``with ... as``), Python's builtins and the standard library's top-level module
names. Code that does not parse gives an empty set (the caller falls back to tokens if it wants).

The oracle uses it to look up what it is about to use before it writes it; ``agentic validate``'s
grounding check uses it to find what an edit uses that the episode never showed.
"""

from __future__ import annotations

import ast
import builtins
import re
import sys
import textwrap

BUILTIN_NAMES = frozenset(dir(builtins)) | {"__name__", "__file__", "__doc__", "__class__", "self", "cls"}
STDLIB_MODULES = frozenset(sys.stdlib_module_names)


def parse(code: str) -> ast.AST | None:
    """``code`` as a module, dedented if needed; None if it is not Python."""
    for text in (code, textwrap.dedent(code)):
        try:
            return ast.parse(text)
        except (SyntaxError, ValueError):
            continue
    return None


class _Binder(ast.NodeVisitor):
    """Collects every name the code binds anywhere, and the loads of names and ``self.x``."""

    def __init__(self) -> None:
        self.bound: set[str] = set()
        self.loaded: list[str] = []
        self.self_set: set[str] = set()
        self.self_read: list[str] = []

    def visit_Name(self, node: ast.Name) -> None:  # noqa: N802 - the ast visitor interface
        (self.loaded.append if isinstance(node.ctx, ast.Load) else self.bound.add)(node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:  # noqa: N802
        if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            if isinstance(node.ctx, ast.Load):
                self.self_read.append(node.attr)
            else:
                self.self_set.add(node.attr)
        self.generic_visit(node)

    def visit_arg(self, node: ast.arg) -> None:  # noqa: N802
        self.bound.add(node.arg)

    def _define(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.bound.add(node.name)
        self.generic_visit(node)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _define  # noqa: N815

    def visit_Import(self, node: ast.Import) -> None:  # noqa: N802
        for alias in node.names:
            self.bound.add((alias.asname or alias.name).split(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:  # noqa: N802
        for alias in node.names:
            self.bound.add(alias.asname or alias.name)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:  # noqa: N802
        if node.name:
            self.bound.add(node.name)
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global) -> None:  # noqa: N802
        self.loaded.extend(node.names)

    visit_Nonlocal = visit_Global  # noqa: N815

    def visit_MatchAs(self, node: ast.MatchAs) -> None:  # noqa: N802
        if node.name:
            self.bound.add(node.name)
        self.generic_visit(node)


def names_read(code: str) -> set[str]:
    """Free names and ``self.<attr>`` reads of ``code`` (see the module doc); empty if it does not parse."""
    tree = parse(code)
    if tree is None:
        return set()
    binder = _Binder()
    binder.visit(tree)
    free = {n for n in binder.loaded if n not in binder.bound and n not in BUILTIN_NAMES}
    free -= STDLIB_MODULES
    dunder = re.compile(r"^__\w+__$")
    attrs = {f"self.{a}" for a in binder.self_read if a not in binder.self_set and not dunder.match(a)}
    return free | attrs


def shown(name: str, text: str) -> bool:
    """Whether ``name`` (``x`` or ``self.x``) appears in ``text`` as a whole word."""
    bare = name.removeprefix("self.")
    return re.search(rf"(?<![\w]){re.escape(bare)}(?![\w])", text) is not None
