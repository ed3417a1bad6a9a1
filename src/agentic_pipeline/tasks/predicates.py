"""Structural checks on a workspace's Python code (the refactoring family's "and the shape is right").

Each predicate takes the workspace folder and keyword arguments from the task's verifier and returns
``(True, "")`` or ``(False, reason)``. They parse files with ``ast`` and never execute them.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

_SKIP = {".git", "__pycache__", ".venv", "venv", ".task"}


def _py_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if not _SKIP.intersection(p.relative_to(root).parts))


def _parse(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_text())
    except (SyntaxError, UnicodeDecodeError, OSError):
        return None


def _identifiers(tree: ast.AST) -> list[tuple[str, int]]:
    """Every identifier a rename must touch: names, attributes, defs, imports, keyword names excluded."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            out.append((node.id, node.lineno))
        elif isinstance(node, ast.Attribute):
            out.append((node.attr, node.lineno))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out.append((node.name, node.lineno))
        elif isinstance(node, ast.alias):
            out.append((node.name.rsplit(".", 1)[-1], node.lineno))
            if node.asname:
                out.append((node.asname, node.lineno))
    return out


def renamed(root: Path, old: str, new: str) -> tuple[bool, str]:
    """``old`` appears nowhere as an identifier; ``new`` is defined once and used elsewhere."""
    defined, used = 0, 0
    for path in _py_files(root):
        tree = _parse(path)
        if tree is None:
            return False, f"{path.relative_to(root)} does not parse"
        for name, line in _identifiers(tree):
            if name == old:
                return False, f"{path.relative_to(root)}:{line} still uses the old name {old!r}"
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.name == new:
                defined += 1
            elif (
                (isinstance(node, ast.Name) and node.id == new)
                or (isinstance(node, ast.Attribute) and node.attr == new)
                or isinstance(node, ast.alias)
                and new in (node.name.rsplit(".", 1)[-1], node.asname)
            ):
                used += 1
    if defined != 1:
        return False, f"{new!r} is defined {defined} times, expected once"
    if not used:
        return False, f"{new!r} is defined but never used"
    return True, ""


def _find_def(tree: ast.Module, qualname: str) -> ast.AST | None:
    node: ast.AST = tree
    for part in qualname.split("."):
        node = next(
            (
                n
                for n in getattr(node, "body", [])
                if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and n.name == part
            ),
            None,
        )
        if node is None:
            return None
    return node


def constant_extracted(
    root: Path, path: str, function: str, name: str, value: int | float
) -> tuple[bool, str]:
    """Module-level ``name = value`` exists; ``function`` uses ``name`` and no longer holds the literal."""
    tree = _parse(root / path)
    if tree is None:
        return False, f"{path} does not parse"
    assigned = any(
        isinstance(n, ast.Assign | ast.AnnAssign)
        and any(
            isinstance(t, ast.Name) and t.id == name
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
        )
        and isinstance(n.value, ast.Constant)
        and n.value.value == value
        and type(n.value.value) is type(value)
        for n in tree.body
    )
    if not assigned:
        return False, f"{path} has no module-level `{name} = {value!r}`"
    func = _find_def(tree, function)
    if func is None:
        return False, f"{path} no longer defines {function}"
    nodes = list(ast.walk(func))
    literal = [
        n for n in nodes if isinstance(n, ast.Constant) and n.value == value and type(n.value) is type(value)
    ]
    if literal:
        return False, f"{function} still contains the literal {value!r} (line {literal[0].lineno})"
    if not any(isinstance(n, ast.Name) and n.id == name for n in nodes):
        return False, f"{function} does not use {name}"
    return True, ""


def is_dataclass(root: Path, path: str, cls: str) -> tuple[bool, str]:
    """``cls`` is decorated with ``dataclass`` (any spelling) and no longer writes its own ``__init__``."""
    tree = _parse(root / path)
    if tree is None:
        return False, f"{path} does not parse"
    node = _find_def(tree, cls)
    if not isinstance(node, ast.ClassDef):
        return False, f"{path} no longer defines class {cls}"
    decorated = False
    for dec in node.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        if (isinstance(target, ast.Name) and target.id == "dataclass") or (
            isinstance(target, ast.Attribute) and target.attr == "dataclass"
        ):
            decorated = True
    if not decorated:
        return False, f"class {cls} is not decorated with @dataclass"
    if any(isinstance(n, ast.FunctionDef) and n.name == "__init__" for n in node.body):
        return False, f"class {cls} still defines __init__ by hand"
    return True, ""


def extracted(root: Path, path: str, helper: str, callers: list[str], block: list[str]) -> tuple[bool, str]:
    """``helper`` is defined; each caller calls it and no longer holds the duplicated statements itself."""
    tree = _parse(root / path)
    if tree is None:
        return False, f"{path} does not parse"
    if _find_def(tree, helper) is None:
        return False, f"{path} does not define {helper}"
    short = helper.rsplit(".", 1)[-1]
    dumps = set(block)
    for qual in callers:
        fn = _find_def(tree, qual)
        if fn is None:
            return False, f"{path} no longer defines {qual}"
        calls = [
            n
            for n in ast.walk(fn)
            if isinstance(n, ast.Call)
            and (
                (isinstance(n.func, ast.Name) and n.func.id == short)
                or (isinstance(n.func, ast.Attribute) and n.func.attr == short)
            )
        ]
        if not calls:
            return False, f"{qual} does not call {short}"
        kept = [s for s in ast.walk(fn) if isinstance(s, ast.stmt) and ast.dump(s) in dumps]
        if kept:
            return False, f"{qual} still contains the duplicated statement at line {kept[0].lineno}"
    return True, ""


PREDICATES: dict[str, Callable[..., tuple[bool, str]]] = {
    "renamed": renamed,
    "constant_extracted": constant_extracted,
    "is_dataclass": is_dataclass,
    "extracted": extracted,
}


def _appends_to(fn: ast.AST, name: str) -> list[ast.Call]:
    return [
        n
        for n in ast.walk(fn)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == "append"
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id == name
    ]


def comprehension_built(root: Path, path: str, function: str, name: str) -> tuple[bool, str]:
    """In ``function``, ``name`` is assigned a list comprehension and nothing appends to it any more."""
    tree = _parse(root / path)
    if tree is None:
        return False, f"{path} does not parse"
    fn = _find_def(tree, function)
    if fn is None:
        return False, f"{path} no longer defines {function}"
    left = _appends_to(fn, name)
    if left:
        return False, f"{function} still calls {name}.append (line {left[0].lineno})"
    built = any(
        isinstance(n, ast.Assign | ast.AnnAssign)
        and isinstance(n.value, ast.ListComp)
        and any(
            isinstance(t, ast.Name) and t.id == name
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
        )
        for n in ast.walk(fn)
    )
    if not built:
        return False, f"{function} does not build {name!r} with a list comprehension"
    return True, ""


def _range_len_over(loop: ast.For, seq: str) -> bool:
    it = loop.iter
    return (
        isinstance(it, ast.Call)
        and isinstance(it.func, ast.Name)
        and it.func.id == "range"
        and any(
            isinstance(a, ast.Call)
            and isinstance(a.func, ast.Name)
            and a.func.id == "len"
            and any(isinstance(x, ast.Name) and x.id == seq for x in a.args)
            for a in it.args
        )
    )


def enumerated(root: Path, path: str, function: str, seq: str) -> tuple[bool, str]:
    """``function`` has no ``for ... in range(len(seq))`` loop; it iterates ``seq`` (``enumerate`` or directly)."""
    tree = _parse(root / path)
    if tree is None:
        return False, f"{path} does not parse"
    fn = _find_def(tree, function)
    if fn is None:
        return False, f"{path} no longer defines {function}"
    loops = [n for n in ast.walk(fn) if isinstance(n, ast.For | ast.comprehension)]
    left = [n for n in loops if _range_len_over(n, seq)]
    if left:
        return (
            False,
            f"{function} still loops over range(len({seq})) (line {getattr(left[0], 'lineno', '?')})",
        )

    def over_seq(it: ast.expr) -> bool:
        if isinstance(it, ast.Name):
            return it.id == seq
        return (
            isinstance(it, ast.Call)
            and isinstance(it.func, ast.Name)
            and it.func.id == "enumerate"
            and bool(it.args)
            and isinstance(it.args[0], ast.Name)
            and it.args[0].id == seq
        )

    if not any(over_seq(n.iter) for n in loops):
        return False, f"{function} does not iterate over {seq} (with enumerate or directly)"
    return True, ""


def _old_style_formatting(fn: ast.AST) -> list[ast.expr]:
    """``"..." % x`` and ``"...".format(...)`` expressions on a string literal in ``fn``."""
    return [
        n
        for n in ast.walk(fn)
        if (
            isinstance(n, ast.BinOp)
            and isinstance(n.op, ast.Mod)
            and isinstance(n.left, ast.Constant)
            and isinstance(n.left.value, str)
        )
        or (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "format"
            and isinstance(n.func.value, ast.Constant)
            and isinstance(n.func.value.value, str)
        )
    ]


def fstring_used(root: Path, path: str, function: str) -> tuple[bool, str]:
    """``function`` formats no string literal with ``%`` or ``.format`` and holds an f-string."""
    tree = _parse(root / path)
    if tree is None:
        return False, f"{path} does not parse"
    fn = _find_def(tree, function)
    if fn is None:
        return False, f"{path} no longer defines {function}"
    left = _old_style_formatting(fn)
    if left:
        return False, f"{function} still formats a string literal the old way (line {left[0].lineno})"
    if not any(
        isinstance(n, ast.JoinedStr) and any(isinstance(v, ast.FormattedValue) for v in n.values)
        for n in ast.walk(fn)
    ):
        return False, f"{function} has no f-string"
    return True, ""


PREDICATES.update(
    {
        "comprehension_built": comprehension_built,
        "enumerated": enumerated,
        "fstring_used": fstring_used,
    }
)
