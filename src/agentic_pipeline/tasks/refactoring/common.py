"""What several refactoring builders share: word counts, where module-level code goes, the functions
of a module and which lines hold comments."""

from __future__ import annotations

import ast
import io
import re
import tokenize


def word_count(text: str, word: str) -> int:
    """How often ``word`` occurs in ``text`` as a whole word."""
    return len(re.findall(rf"\b{re.escape(word)}\b", text))


def insert_point(lines: list[str], tree: ast.Module) -> int:
    """0-based line index after the module docstring and the top-level imports."""
    end = 0
    for node in tree.body:
        is_doc = node is tree.body[0] and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        if isinstance(node, ast.Import | ast.ImportFrom) or is_doc:
            end = node.end_lineno
        else:
            break
    return end


def functions(tree: ast.Module) -> list[tuple[str, ast.FunctionDef]]:
    """(qualified name, node) of the module's functions and its classes' methods."""
    out = [(n.name, n) for n in tree.body if isinstance(n, ast.FunctionDef)]
    for c in tree.body:
        if isinstance(c, ast.ClassDef):
            out += [(f"{c.name}.{m.name}", m) for m in c.body if isinstance(m, ast.FunctionDef)]
    return out


def comment_lines(text: str) -> set[int]:
    """Lines that hold a comment (every line when ``text`` does not tokenize)."""
    try:
        return {
            t.start[0]
            for t in tokenize.generate_tokens(io.StringIO(text).readline)
            if t.type == tokenize.COMMENT
        }
    except (tokenize.TokenError, SyntaxError):
        return set(range(1, text.count("\n") + 2))


def untouched_same(before: str, after: str, qual: str) -> bool:
    """Every function other than ``qual`` has the same AST before and after."""
    a = {q: ast.dump(f) for q, f in functions(ast.parse(before))}
    b = {q: ast.dump(f) for q, f in functions(ast.parse(after))}
    return a.keys() == b.keys() and all(a[q] == b[q] for q in a if q != qual) and a[qual] != b[qual]
