"""Debugging: reproduce, locate from the traceback (or search), read, fix the line, verify; sometimes
suspect the failing test first and drop the idea after reading it."""

from __future__ import annotations

import re
from collections.abc import Generator

from agentic_pipeline.policies.observe import clip, parse_tests, shown_line
from agentic_pipeline.policies.oracle.base import (
    Action,
    Ctx,
    PlanGen,
    changed_line,
    inserted,
    look_up,
    orient,
    run_check,
    shown,
    tests_thought,
    verify_and_finish,
)
from agentic_pipeline.tasks.facts import FixFacts

# ----------------------------------------------------------------------------- plans


_REASONS = {
    "compare_swap": ("The comparison is wrong here.", "That comparison uses the wrong operator."),
    "arith_swap": ("The arithmetic operator is wrong.", "That's the wrong operator for this computation."),
    "off_by_one": ("That value is off by one.", "An off-by-one: the constant/bound is wrong."),
    "wrong_constant": ("That constant is wrong.", "The literal value there is wrong."),
    "bool_swap": ("The boolean connective is wrong.", "`and`/`or` are mixed up there."),
    "negate_condition": ("The condition is inverted.", "That test is the wrong way round."),
    "remove_not": ("The negation is missing.", "It should be negated."),
    "swap_args": ("The arguments are in the wrong order.", "Those two arguments are swapped."),
    "wrong_variable": ("It uses the wrong variable.", "The wrong name is used there."),
    "slice_shift": ("The slice bound is off.", "That slice starts/ends at the wrong index."),
}


def _suspect_the_test(c: Ctx, thought: str, failed: str) -> Generator[Action, str, str]:
    """A first hypothesis engineers often check: the test expects the wrong thing. Find the failing test,
    read it, and drop the hypothesis (the shipped tests are right); returns the next thought's opening."""
    m = re.search(r"(test\w*)", failed.rsplit("::", 1)[-1])
    if not m:
        return thought
    name = m.group(1)
    out = yield c.act(
        thought
        + c.say(
            " Before the code, is the test itself right? Let me find `{t}`.",
            " First I want to see what `{t}` actually asserts.",
            " Could the test expect the wrong thing? Looking up `{t}`.",
            t=name,
        ),
        "bash",
        command=f"grep -rn 'def {name}\\b' --include='test*.py' .",
    )
    hit = re.search(r"^(?:\./)?(\S+?\.py):(\d+):", out, re.M)
    if not hit:
        return c.say("No definition by that name turns up; back to the code.", "Not found that way.")
    path, line = hit.group(1), int(hit.group(2))
    yield c.act(
        c.say("It is in {p} at line {l}.", "{p}, line {l}.", p=path, l=line),
        "read_file",
        path=path,
        start_line=line,
        end_line=line + 15,
    )
    return c.say(
        "The test asserts a plain expected result; nothing odd in it, so the fault is in the code under test.",
        "That test is straightforward and consistent with its name. The bug is in the code, not the test.",
        "The assertion looks right to me, so I'll drop that idea and go to the code.",
    )


def plan_fix(c: Ctx) -> PlanGen:
    """Debugging: run the tests, locate the code, read it, fix it, re-run, finish."""
    t, f = c.task, c.facts_as(FixFacts)
    edit = t.solution.edits[0]
    buggy = t.start_text(edit.path)
    line, old_line, new_line = changed_line(buggy, edit)
    oriented = yield from orient(c)
    out = yield run_check(
        c,
        c.say("Now reproduce the failure.", "Next, the test suite.", "Now the tests: what fails?")
        if oriented
        else c.say(
            "I'll start by running the test suite to see what fails.",
            "First, reproduce the failure: run the tests.",
            "Let me run the tests and look at the failures.",
            "Running the tests to see what's broken.",
        ),
    )
    thought = tests_thought(c, out)
    frames = parse_tests(out).frames_in(edit.path)
    func = f.function
    failed = parse_tests(out).failed
    if failed and c.chance(0.3):
        thought = yield from _suspect_the_test(c, thought, failed[0])
    if not frames and func:
        short = func.rsplit(".", 1)[-1]
        if shown(edit.path, "\n".join(c.seen)):
            thought += c.say(
                " The traceback stays inside the tests; the failing code path goes through `{func}` in {path}. "
                "Let me find it.",
                " The tests only show the symptom. They exercise `{func}` ({path}), so I'll locate it.",
                func=func,
                path=edit.path,
            )
            command = f"grep -n 'def {short}\\b' {edit.path}"
        else:  # where it lives has not been shown: search the project for its definition
            thought += c.say(
                " The traceback stays inside the tests; they exercise `{func}`. Where is it defined?",
                " The tests only show the symptom. They call `{func}`, so I'll find its definition.",
                func=func,
            )
            command = f"grep -rn 'def {short}\\b' --include='*.py' . | grep -v '/test'"
        out = yield c.act(thought, "bash", command=command)
        # The definition that encloses the bug: the last one at or above it (in the file the fix goes in).
        mine = "\n".join(
            ln.split(":", 1)[1] if ln.lstrip("./").startswith(edit.path + ":") else ln
            for ln in out.splitlines()
        )
        found = [int(n) for n in re.findall(r"^(\d+):", mine, re.M) if int(n) <= line]
        def_line = found[-1] if found else line
        if line - def_line <= 80:  # read the function from its def line: the cited line is on screen
            start = min(def_line, line - 3)
            thought = c.say(
                "`{short}` is defined in {p} at line {d}. Reading it.",
                "Found it: {p}, line {d}; let me read the function.",
                short=short,
                d=def_line,
                p=edit.path,
            )
        else:
            start = max(1, line - 25)
            thought = c.say(
                "`{short}` is a long function; reading its body.", "Reading `{short}`.", short=short
            )
    else:
        start, end = max(1, line - 12), line + 8
        if frames and abs(frames[-1][1] - line) <= 40:
            fpath, fline, fname = frames[-1]
            where = f" (in `{fname}`)" if fname else ""
            thought += c.say(
                " The traceback reaches {p} line {l}{w}. Let me read the code there.",
                " The innermost frame in the code is {p}:{l}{w}; I'll look at it.",
                p=edit.path,
                l=fline,
                w=where,
            )
            # The read covers the cited frame line as well as the code around it.
            start, end = max(1, min(start, fline - 6)), max(end, fline + 4)
        else:
            thought += c.say(" Let me read the code in {p}.", " I'll look at {p}.", p=edit.path)
        out = yield c.act(thought, "read_file", path=edit.path, start_line=start, end_line=end)
        return (yield from _fix_after_read(c, out, line, old_line, new_line, func))
    out = yield c.act(thought, "read_file", path=edit.path, start_line=start, end_line=line + 8)
    yield from _fix_after_read(c, out, line, old_line, new_line, func)


def _fix_after_read(c: Ctx, out: str, line: int, old_line: str, new_line: str, func: str | None) -> PlanGen:
    """Debugging, once the code around the bug is on screen: say what is wrong, fix it, verify."""
    t = c.task
    edit = t.solution.edits[0]
    seen = shown_line(out, line)
    op = t.meta.get("operator", "")
    if op in ("drop_statement", "drop_branch"):
        missing = " / ".join(s.strip() for s in inserted(edit))
        prefix = ""
        if c.unseen(edit.new):  # what the missing code uses has not been shown: look first
            prefix = yield from look_up(
                c,
                edit.path,
                edit.new,
                c.say(
                    "Around line {l} the function seems to skip a step it needs.",
                    "Reading this, something the function should do before line {l} is not done.",
                    l=line,
                ),
                closing=" ",
            )
        thought = prefix + c.say(
            "Around line {l} something is missing: `{m}` is never done, which explains the failure. I'll put it back.",
            "Reading this, the code before line {l} lacks `{m}`; without it the result is wrong. Restoring it.",
            l=line,
            m=clip(missing, 120),
        )
    else:
        reason = c.say(*_REASONS.get(op, ("That line is wrong.", "This is the bug.")))
        thought = c.say(
            "Line {l} reads `{seen}`. {r} It should be `{new}`.",
            "Here's the bug: line {l} is `{seen}`. {r} Changing it to `{new}`.",
            "{r} Line {l} (`{seen}`) should read `{new}`.",
            l=line,
            seen=clip((seen or old_line).strip(), 120),
            r=reason,
            new=clip(new_line.strip(), 120),
        )
    out = yield c.act(thought, "edit_file", path=edit.path, old_str=edit.old, new_str=edit.new)
    if out.startswith("edit_file:"):
        yield c.act("The edit did not apply.", "finish", summary=f"Could not apply the fix: {clip(out)}")
        return
    where = f"`{func}` " if func else ""
    what = (
        f"Restored the missing `{clip(' / '.join(s.strip() for s in inserted(edit)), 80)}` in {where}({edit.path}:{line})."
        if op in ("drop_statement", "drop_branch")
        else f"Fixed {where}in {edit.path}:{line}: `{clip(old_line.strip(), 80)}` -> `{clip(new_line.strip(), 80)}`."
    )
    yield from verify_and_finish(c, what)
