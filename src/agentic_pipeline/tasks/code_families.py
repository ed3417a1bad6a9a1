"""The debugging family (one injected bug, tests must pass again) and the coding family (one function
body removed, or two or three bodies of one file at once; the tests define done), built from a ``CodeSource``."""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import random
import re

from agentic_pipeline.tasks.base import Edit, Solution, Task, Verifier, task_id
from agentic_pipeline.tasks.facts import FixFacts, ImplementFacts, ImplementManyFacts
from agentic_pipeline.tasks.mutate import Stub, minimal_edit, mutants, sample, stubs
from agentic_pipeline.tasks.sources import CodeSource

MUTANTS_PER_FILE = 60
# A stdlib source is one large module (vs 2-3 small files per shipped project): sample more of it.
STDLIB_MUTANTS_PER_FILE = 110


def rng_for(*parts: str) -> random.Random:
    """A Random seeded by text, so phrasing choices are deterministic per task."""
    return random.Random(int(hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16], 16))


_DEBUG_PHRASES = (
    "The test suite of {what} fails. Find the bug and fix it so that `{cmd}` passes again.",
    "Fix the failing tests in this repository ({what}). Run `{cmd}` to see what is broken; fix the code, not the tests.",
    "A recent change broke {what}: `{cmd}` reports failures. Track down the bug and fix it.",
    "Debug this project: some tests fail. Make `{cmd}` pass by fixing the source code (leave the tests alone).",
    "`{cmd}` is red. Find the defect in {what} and repair it.",
    "There is a bug somewhere in {file}. The tests catch it: run `{cmd}`, find the cause and fix it.",
)

_CODING_PHRASES = (
    "Implement `{func}` in {file}. Its body is missing (it raises NotImplementedError); its signature, its "
    "docstring and the tests say what it must do. `{cmd}` must pass.",
    "Write the body of `{func}` ({file}), which currently only raises NotImplementedError. Make the test suite "
    "(`{cmd}`) pass.",
    "`{func}` in {file} is a stub. Implement it so that the project's tests pass; run `{cmd}` to check.",
    "Finish the implementation of `{func}` in {file}: replace the `raise NotImplementedError` with working code. "
    "Done means `{cmd}` passes.",
)


@functools.lru_cache(maxsize=4)
def _stubs(original: str, rel: str) -> tuple[Stub, ...]:
    """``stubs`` of a file, once for both coding builders (it parses the file once per function)."""
    return tuple(stubs(original, rel))


def _covered_stubs(src: CodeSource, original: str, rel: str) -> tuple[Stub, ...]:
    """The stubs whose body some test executes (all of them when that was not measured)."""
    if src.executed is None:
        return _stubs(original, rel)
    out = []
    for s in _stubs(original, rel):
        first, end = _body_range(s)
        if src.runs(rel, range(first + 1, end + 1)):
            out.append(s)
    return tuple(out)


def _what(src: CodeSource) -> str:
    return f"the {src.short} project" if src.kind == "project" else f"`{src.short}`"


def _broken_task(
    src: CodeSource,
    rel: str,
    original: str,
    broken: str,
    tid: str,
    family: str,
    instruction: str,
    kind: str,
    facts: FixFacts | ImplementFacts,
    meta: dict,
) -> Task:
    """A task whose workspace is ``src`` with ``rel`` changed to ``broken``; the fix restores ``original``."""
    old, new = minimal_edit(broken, original)
    return Task(
        id=tid,
        family=family,
        source=src.name,
        instruction=instruction,
        base=str(src.root),
        files={},
        patches=[Edit(rel, *minimal_edit(original, broken))],
        verifier=Verifier(test_cmd=src.test_cmd, pin_base=src.pinned_tests()),
        solution=Solution(kind=kind, edits=[Edit(rel, old, new)], facts=facts),
        check_cmd=src.test_cmd,
        meta=meta,
        env=src.env,
    )


def debugging_tasks(src: CodeSource, per_file: int | None = None) -> list[Task]:
    if per_file is None:
        per_file = STDLIB_MUTANTS_PER_FILE if src.kind == "stdlib" else MUTANTS_PER_FILE
    out = []
    for rel in src.src_files:
        original = src.read(rel)
        found = [m for m in mutants(original, rel, parse_check=False) if src.runs(rel, [m.line])]
        for m in sample(found, per_file, salt=src.name):
            tid = task_id(src.name, "debugging", m.key)
            rng = rng_for(tid, "phrase")
            instruction = rng.choice(_DEBUG_PHRASES).format(what=_what(src), cmd=src.test_cmd, file=rel)
            facts = FixFacts(path=rel, line=m.line, function=m.function, bug=m.description)
            meta = {"operator": m.operator, "mutation": m.key}
            out.append(
                _broken_task(src, rel, original, m.mutated, tid, "debugging", instruction, "fix", facts, meta)
            )
    return out


def coding_tasks(src: CodeSource) -> list[Task]:
    out = []
    for rel in src.src_files:
        original = src.read(rel)
        for s in _covered_stubs(src, original, rel):
            tid = task_id(src.name, "coding", f"{rel}:{s.function}")
            rng = rng_for(tid, "phrase")
            instruction = rng.choice(_CODING_PHRASES).format(func=s.function, file=rel, cmd=src.test_cmd)
            facts = ImplementFacts(path=rel, line=s.line, function=s.function)
            out.append(
                _broken_task(
                    src,
                    rel,
                    original,
                    s.stubbed,
                    tid,
                    "coding",
                    instruction,
                    "implement",
                    facts,
                    {"function": s.function},
                )
            )
    return out


# ----------------------------------------------------------------------------- several stubs at once

# Combinations grow quadratically (pairs) or cubically (triples) with the functions of a file, while
# what a task teaches (these bodies, these tests) saturates: beyond a few dozen per file they are the
# same bodies again. A shipped project file has 4-8 stubbable functions (6-28 pairs: the cap rarely
# bites); a stdlib source is one module with 10-40 (fractions: 276 pairs), so it gets a larger share
# that keeps it in proportion to its size without drowning the projects.
PAIRS_PER_FILE = 40
TRIPLES_PER_FILE = 12
STDLIB_PAIRS_PER_FILE = 90
STDLIB_TRIPLES_PER_FILE = 30

_MULTI_PHRASES = (
    "Implement {funcs} in {file}. Their bodies are missing (each raises NotImplementedError); the "
    "signatures, docstrings and tests say what they must do. `{cmd}` must pass.",
    "Several functions in {file} are stubs: {funcs}. Write their bodies so that `{cmd}` passes.",
    "{n} functions of {what} only raise NotImplementedError: {funcs} ({all} in {file}). Implement them; "
    "done means `{cmd}` passes.",
    "Finish {file}: replace the `raise NotImplementedError` in {funcs} with working code. Check with `{cmd}`.",
    "Write the missing implementations of {funcs} in {file}, following their docstrings and the tests "
    "(`{cmd}` must pass).",
    "The bodies of {funcs} were removed from {file}. Implement them again so the test suite (`{cmd}`) is green.",
)


def _names(functions: list[str]) -> str:
    """The names in backticks, joined as a sentence lists them: `f`, `g` and `h`."""
    quoted = [f"`{f}`" for f in functions]
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _body_range(s: Stub) -> tuple[int, int]:
    """0-based [first, end) line range of the body that ``s`` replaces in its original text."""
    a = s.original.splitlines(keepends=True)
    b = s.stubbed.splitlines(keepends=True)
    first = next(i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y)
    return first, first + len(s.body.splitlines())


def _unique_edit(rel: str, lines: list[str], i1: int, i2: int, new: list[str]) -> Edit:
    """Replace ``lines[i1:i2]`` by ``new``, widened with context lines until the old text is unique.

    The same widening as ``minimal_edit``, without its diff: the changed lines are known here, and
    diffing a large module twice per function per task is what made building these slow.
    """
    text = "".join(lines)
    lo = hi = 0
    while True:
        s, e = max(0, i1 - lo), min(len(lines), i2 + hi)
        old = "".join(lines[s:e])
        if (old.strip() and text.count(old) == 1) or (s == 0 and e == len(lines)):
            return Edit(rel, old, "".join(lines[s:i1] + new + lines[i2:e]))
        lo, hi = lo + 1, hi + (1 if lo % 2 == 0 else 0)


def _related(a: Stub, b: Stub) -> bool:
    """Methods of one class, or one calls the other: implementing them together is one job."""
    cls_a, _, short_a = a.function.rpartition(".")
    cls_b, _, short_b = b.function.rpartition(".")
    if cls_a and cls_a == cls_b:
        return True
    return bool(re.search(rf"\b{short_b}\s*\(", a.body) or re.search(rf"\b{short_a}\s*\(", b.body))


_MAX_COMBOS = 10_000


def _groups(found: list[Stub], size: int, limit: int, salt: str) -> list[list[Stub]]:
    """At most ``limit`` groups of ``size`` stubs, related ones first, in a hash order seeded by ``salt``."""
    ranges = {s.function: _body_range(s) for s in found}
    if math.comb(len(found), size) > _MAX_COMBOS:
        # A module with 100+ functions has 10^5+ triples; draw the members from a seeded subset instead.
        by_hash = sorted(found, key=lambda s: hashlib.sha256(f"{salt}\x00{s.function}".encode()).hexdigest())
        found = by_hash[: next(n for n in range(len(found), 0, -1) if math.comb(n, size) <= _MAX_COMBOS)]
    ordered = sorted(found, key=lambda s: s.line)
    related = {(a.function, b.function) for a, b in itertools.combinations(ordered, 2) if _related(a, b)}

    def rank(group: tuple[Stub, ...]) -> tuple[bool, str]:
        linked = any((a.function, b.function) in related for a, b in itertools.combinations(group, 2))
        key = "+".join(s.function for s in group)
        return not linked, hashlib.sha256(f"{salt}\x00{key}".encode()).hexdigest()

    combos = [
        g
        for g in itertools.combinations(ordered, size)
        if all(ranges[x.function][1] <= ranges[y.function][0] for x, y in itertools.pairwise(g))
    ]
    return [list(g) for g in sorted(combos, key=rank)[:limit]]


def multi_stub_task(src: CodeSource, rel: str, original: str, group: list[Stub]) -> Task:
    """One task: every function of ``group`` (in file order) stubbed in ``rel``.

    Patches stub one function each, in file order, and solution edits restore them in the same order;
    each edit's ``old`` is unique in the text it applies to (``_unique_edit`` widens it with context
    until it is), so two ``raise NotImplementedError`` bodies are never confused.
    """
    names = [s.function for s in group]
    ranges = [_body_range(s) for s in group]
    raises = []
    for s, (first, _) in zip(group, ranges, strict=True):
        line = s.original.splitlines(keepends=True)[first]
        raises.append(f"{line[: len(line) - len(line.lstrip())]}raise NotImplementedError\n")
    shrink = [end - first - 1 for first, end in ranges]
    # Patches stub the functions in file order: in the text patch k applies to, the bodies above it
    # are one line each already. Fixes restore them in the same order: the bodies above are whole again.
    text = original.splitlines(keepends=True)
    patches = []
    for k, (first, end) in enumerate(ranges):
        at = first - sum(shrink[:k])
        patches.append(_unique_edit(rel, text, at, at + end - first, [raises[k]]))
        text = text[:at] + [raises[k]] + text[at + end - first :]
    fixes = []
    for first, end in ranges:
        body = original.splitlines(keepends=True)[first:end]
        fixes.append(_unique_edit(rel, text, first, first + 1, body))
        text = text[:first] + body + text[first + 1 :]
    # Where each def is in the starting file: every earlier body shrank to one line.
    lines = [s.line - sum(shrink[:k]) for k, s in enumerate(group)]
    tid = task_id(src.name, "coding", f"{rel}:{'+'.join(names)}")
    rng = rng_for(tid, "phrase")
    instruction = rng.choice(_MULTI_PHRASES).format(
        funcs=_names(names),
        file=rel,
        cmd=src.test_cmd,
        what=_what(src),
        n=_NUMBERS[len(names)][0],
        all=_NUMBERS[len(names)][1],
    )
    # "function" is the display form for consumers that quote one name in backticks ("`{function}`").
    facts = ImplementManyFacts(
        path=rel, functions=names, lines=lines, line=lines[0], function="` and `".join(names)
    )
    return Task(
        id=tid,
        family="coding",
        source=src.name,
        instruction=instruction,
        base=str(src.root),
        files={},
        patches=patches,
        verifier=Verifier(test_cmd=src.test_cmd, pin_base=src.pinned_tests()),
        solution=Solution(kind="implement_many", edits=fixes, facts=facts),
        check_cmd=src.test_cmd,
        meta={"functions": len(names), "function": "+".join(names)},
        env=src.env,
    )


_NUMBERS = {2: ("Two", "both"), 3: ("Three", "all three")}


def multi_coding_tasks(src: CodeSource) -> list[Task]:
    """Coding tasks with 2 or 3 functions of one file stubbed at once, sampled per file."""
    stdlib = src.kind == "stdlib"
    caps = {
        2: STDLIB_PAIRS_PER_FILE if stdlib else PAIRS_PER_FILE,
        3: STDLIB_TRIPLES_PER_FILE if stdlib else TRIPLES_PER_FILE,
    }
    out = []
    for rel in src.src_files:
        original = src.read(rel)
        found = _covered_stubs(src, original, rel)
        for size, limit in caps.items():
            # No parse check: each body is a block of whole lines (it parsed stubbed alone), and
            # blocks that do not overlap stay valid when each becomes one statement.
            groups = _groups(found, size, limit, salt=f"{src.name}\x00{rel}")
            out += [multi_stub_task(src, rel, original, g) for g in groups]
    return out
