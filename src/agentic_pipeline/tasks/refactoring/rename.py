"""Refactoring kind ``rename``: a function or class renamed across the project (definition, call sites,
imports, tests): the old name gone, the new one defined once and used.

The tests themselves must change; the verifier restores them renamed the same way (word-boundary
replacement), so an agent cannot pass by editing them in some other way. The oracle's plan for this
kind is ``plan_rename`` in ``agentic_pipeline.policies.oracle.refactoring``; they share ``RenameFacts``.
"""

from __future__ import annotations

import ast
import builtins
import re

from agentic_pipeline.tasks.base import Check, Solution, Task, Verifier, task_id
from agentic_pipeline.tasks.code_families import rng_for
from agentic_pipeline.tasks.facts import RenameFacts
from agentic_pipeline.tasks.refactoring.common import word_count
from agentic_pipeline.tasks.sources import CodeSource

# Function renames swap the leading verb for a synonym.
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
            if new is None or hasattr(builtins, new) or any(word_count(t, new) for t in files.values()):
                continue
            uses = sum(word_count(t, name) for t in files.values())
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
        solution=Solution(kind="rename", commands=[cmd], facts=RenameFacts(old=old, new=new, path=rel)),
        check_cmd=src.test_cmd,
        meta={"refactor": "rename"},
    )
