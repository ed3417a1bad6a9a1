"""Coding: run the tests, read the stub(s) and their docstrings, look up what the body will use, write
the body (several stubs in file order), verify."""

from __future__ import annotations

import re

from agentic_pipeline.policies.observe import clip, parse_tests
from agentic_pipeline.policies.oracle.base import (
    Ctx,
    PlanGen,
    changed_line,
    look_up,
    orient,
    quoted,
    run_check,
    tests_thought,
    verify_and_finish,
)
from agentic_pipeline.tasks.facts import ImplementFacts, ImplementManyFacts


def plan_implement(c: Ctx) -> PlanGen:
    """Coding: run the tests, read the stub and its docstring, write the body, re-run, finish."""
    t, f = c.task, c.facts_as(ImplementFacts)
    edit = t.solution.edits[0]
    stubbed = t.start_text(edit.path)
    raise_line, _, _ = changed_line(stubbed, edit)
    oriented = yield from orient(c)
    out = yield run_check(
        c,
        c.say("Now the current state of the tests.", "Next, the test suite as it stands.")
        if oriented
        else c.say(
            "Let me see the current state of the tests first.",
            "I'll run the tests to see which ones depend on `{fn}`.",
            "Running the test suite before touching anything.",
            fn=f.function,
        ),
    )
    thought = tests_thought(c, out)
    if "NotImplementedError" in out:
        thought += c.say(
            " They hit the NotImplementedError of the stub.",
            " As expected, the stub's NotImplementedError shows up.",
        )
    thought += c.say(" Let me read `{fn}`.", " Now the stub itself.", fn=f.function)
    out = yield c.act(thought, "read_file", path=edit.path, start_line=f.line, end_line=raise_line + 1)
    doc = _docstring_from(out)
    if doc:
        thought = c.say(
            'The docstring says: "{d}".',
            'Its docstring: "{d}". That and the tests are the contract.',
            '"{d}" is what it must do.',
            d=clip(doc, 140),
        )
    else:
        thought = c.say(
            "No docstring, so the signature and the failing tests are the spec.",
            "There is no docstring; I'll implement it from the signature and what the tests expect.",
        )
    thought = yield from look_up(c, edit.path, edit.new, thought)
    out = yield c.act(thought, "edit_file", path=edit.path, old_str=edit.old, new_str=edit.new)
    if out.startswith("edit_file:"):
        yield c.act("The edit did not apply.", "finish", summary=f"Could not write the body: {clip(out)}")
        return
    n = len(edit.new.splitlines()) - len(edit.old.splitlines()) + 1
    yield from verify_and_finish(c, f"Implemented `{f.function}` in {edit.path} ({n} lines).")


def _docstring_from(observation: str) -> str | None:
    text = "\n".join(ln.split("\t", 1)[1] if "\t" in ln else ln for ln in observation.splitlines())
    m = re.search(r'(?:"""|\'\'\')\s*(.+?)(?:\n|"""|\'\'\')', text)
    return m.group(1).strip() if m else None


def _stub_spans(text: str, def_lines: list[int]) -> list[tuple[int, int]]:
    """(def line, ``raise NotImplementedError`` line) of each stub, in ``text`` (the starting file)."""
    lines = text.splitlines()
    spans = []
    for first in def_lines:
        raise_at = next(
            i + 1 for i in range(first - 1, len(lines)) if lines[i].strip() == "raise NotImplementedError"
        )
        spans.append((first, raise_at))
    return spans


def _stubs_in_traceback(out: str, path: str, names: list[str], spans: list[tuple[int, int]]) -> list[str]:
    """The stubs whose lines (as the file is now) appear in the run's traceback frames of ``path``."""
    lines = [line for _, line, _ in parse_tests(out).frames_in(path)]
    hit = [n for n, (a, b) in zip(names, spans, strict=True) if any(a <= line <= b for line in lines)]
    return hit


def plan_implement_many(c: Ctx) -> PlanGen:
    """Coding, several stubs in one file: run the tests, then read and write each body in file order,
    maybe check in between, re-run, finish. Line numbers follow the file as the earlier edits left it."""
    t, f = c.task, c.facts_as(ImplementManyFacts)
    path, names = f.path, f.functions
    listed = quoted(names)
    # spans[j]: where stub j is now; an edit shifts every stub below it (edits go in file order).
    spans = _stub_spans(t.start_text(path), f.lines)
    out = yield run_check(
        c,
        c.say(
            "{k} functions are stubs here ({fns}). First, the test suite as it stands.",
            "Let me run `{cmd}` to see what the missing bodies break.",
            "Before writing anything, the tests: which of them depend on {fns}?",
            k=len(names),
            fns=listed,
            cmd=t.check_cmd,
        ),
    )
    thought = tests_thought(c, out) + _stub_note(c, out, path, names, spans)
    thought += c.say(" I'll go in file order, starting with `{fn}`.", " Reading `{fn}` first.", fn=names[0])
    added = 0
    for k, (name, edit) in enumerate(zip(names, t.solution.edits, strict=True)):
        first, raise_line = spans[k]
        out = yield c.act(thought, "read_file", path=path, start_line=first, end_line=raise_line + 1)
        doc = _docstring_from(out)
        if doc:
            thought = c.say(
                'The docstring of `{fn}` says: "{d}".',
                '`{fn}`: "{d}". That and the tests are the contract.',
                '"{d}" is the contract for `{fn}`.',
                fn=name,
                d=clip(doc, 140),
            )
        else:
            thought = c.say(
                "`{fn}` has no docstring, so its signature and the tests are the spec.",
                "No docstring on `{fn}`; I'll write it from the signature and what the tests expect.",
                fn=name,
            )
        thought = yield from look_up(c, path, edit.new, thought)
        out = yield c.act(thought, "edit_file", path=path, old_str=edit.old, new_str=edit.new)
        if out.startswith("edit_file:"):
            yield c.act("The edit did not apply.", "finish", summary=f"Could not write `{name}`: {clip(out)}")
            return
        delta = len(edit.new.splitlines()) - len(edit.old.splitlines())
        spans = spans[: k + 1] + [(a + delta, b + delta) for a, b in spans[k + 1 :]]
        added += delta + 1
        if k + 1 < len(names):
            thought = yield from _between_stubs(c, k, path, names, spans)
    yield from verify_and_finish(c, f"Implemented {listed} in {path} ({added} lines of body in total).")


def _stub_note(c: Ctx, out: str, path: str, names: list[str], spans: list[tuple[int, int]]) -> str:
    hit = _stubs_in_traceback(out, path, names, spans)
    if len(hit) == 1:
        return c.say(
            " The traceback ends in {h}, which still raises NotImplementedError.",
            " It fails inside the stub {h}.",
            h=quoted(hit),
        )
    if hit:
        return c.say(
            " The tracebacks end in the stubs {h}.",
            " The stubs {h} show up in the tracebacks.",
            h=quoted(hit),
        )
    if "NotImplementedError" in out:
        return c.say(" They hit a stub's NotImplementedError.", " NotImplementedError shows up, as expected.")
    return ""


def _between_stubs(c: Ctx, k: int, path: str, names: list[str], spans: list[tuple[int, int]]) -> PlanGen:
    """After writing stub ``k``: sometimes (as people do) a test run first; returns the next thought."""
    done, nxt = names[k], names[k + 1]
    if k > 0 or c.say("check", "go on") != "check":
        return c.say("`{fn}` is written. Next, `{nxt}`.", "Done with `{fn}`; now `{nxt}`.", fn=done, nxt=nxt)
    out = yield run_check(
        c, c.say("A quick test run to see where things stand.", "Let me see what the tests say now.")
    )
    if parse_tests(out).passed:
        return c.say(
            "Already green, but `{nxt}` is still a stub.", "It passes; `{nxt}` still needs its body.", nxt=nxt
        )
    rest = list(zip(names[k + 1 :], spans[k + 1 :], strict=True))
    left = _stubs_in_traceback(out, path, [n for n, _ in rest], [s for _, s in rest])
    if len(left) == 1:
        return tests_thought(c, out) + c.say(
            " Now the failure comes from {l}, still a stub.",
            " The traceback is in {l} now, one of the remaining stubs.",
            l=quoted(left),
        )
    if left:
        return tests_thought(c, out) + c.say(
            " The remaining stubs, {l}, are what fails now.",
            " Now the tracebacks end in {l}.",
            l=quoted(left),
        )
    return tests_thought(c, out) + c.say(" Moving on to `{nxt}`.", " On to `{nxt}`.", nxt=nxt)
