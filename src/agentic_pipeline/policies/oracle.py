"""The offline teacher: solves a task from its known solution, through the same tools, on real outputs.

Each solution kind has a plan, written as a generator: it yields one action (a thought and a tool
call), receives the real observation back, and decides the next action from it. The policy is
stateless between calls: on every ``act`` it replays the plan over the observations already in the
conversation, so concurrent episodes share one ``OraclePolicy`` safely.

Thoughts quote only what observations showed (test names, error lines, file and line numbers parsed
from the real output by ``agentic_pipeline.policies.observe``) plus what a careful engineer infers
from code it has just read. Wording varies with a seeded choice per task, seed and step.
"""

from __future__ import annotations

import hashlib
import random
import re
import shlex
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

from agentic_pipeline.grounding import code_refs
from agentic_pipeline.llm.usage import Usage
from agentic_pipeline.policies.base import PolicyResponse
from agentic_pipeline.policies.observe import clip, find_hash, parse_tests, shown_line
from agentic_pipeline.tasks.base import Edit, Task


@dataclass
class Action:
    thought: str
    tool: str
    arguments: dict[str, Any]


PlanGen = Generator[Action, str, None]


class Ctx:
    """What a plan sees: the task, what the episode has shown so far, and a deterministic phrase picker."""

    def __init__(self, task: Task, seed: int, context: list[str] | None = None) -> None:
        self.task = task
        self.facts = task.solution.facts
        self._rng = random.Random(int(hashlib.sha256(f"{task.id}\x00{seed}".encode()).hexdigest()[:16], 16))
        self.seen: list[str] = list(context or [task.instruction])  # system/user text, then observations

    def observe(self, observation: str) -> None:
        self.seen.append(observation)

    def unseen(self, code: str) -> list[str]:
        """The names ``code`` reads that nothing in the episode has shown yet (as the grounding check
        of ``agentic validate`` sees them: ``self.x`` for attributes)."""
        text = "\n".join(self.seen)
        return sorted(n for n in names_read(code) if not shown(n, text))

    def chance(self, share: float) -> bool:
        """A seeded coin: True for about ``share`` of tasks (per task, seed and step)."""
        return self._rng.random() < share

    def say(self, *options: str, **fmt: Any) -> str:
        return self._rng.choice(options).format(**fmt)

    def act(self, thought: str, tool: str, **arguments: Any) -> Action:
        return Action(thought, tool, arguments)


# ----------------------------------------------------------------------------- shared pieces


def names_read(code: str) -> set[str]:
    """What ``code`` uses from outside itself: names, ``self.x`` attributes, attributes of outside names."""
    refs = code_refs(code)
    return {*refs.names, *(f"self.{a}" for a in refs.self_attrs), *(attr for _, attr, _ in refs.owner_attrs)}


def shown_text(quote: str, text: str) -> bool:
    """Whether ``quote`` appears in ``text`` (whitespace runs compared as one space)."""
    return " ".join(quote.split()) in " ".join(text.split())


def shown(name: str, text: str) -> bool:
    """Whether ``name`` (``x`` or ``self.x``) appears in ``text`` as a whole word."""
    bare = name.removeprefix("self.")
    return re.search(rf"(?<![\w]){re.escape(bare)}(?![\w])", text) is not None


def _tests_thought(c: Ctx, out: str) -> str:
    """One or two sentences on what a failing test run showed."""
    rep = parse_tests(out)
    if rep.failed:
        names = ", ".join(f"`{n}`" for n in rep.failed[:3]) + (" and more" if len(rep.failed) > 3 else "")
        head = c.say(
            "{n} failing: {names}.",
            "The run shows {n} failure(s): {names}.",
            "Failures: {names} ({n} in total).",
            n=max(rep.count, len(rep.failed)),
            names=names,
        )
    elif rep.exit_code not in (0, None):
        head = c.say(
            "The command exits with code {code}.", "It fails (exit code {code}).", code=rep.exit_code
        )
    else:
        head = c.say("The run finished.", "That ran.")
    if rep.error:
        head += c.say(" The first error: `{e}`.", " The error reads `{e}`.", e=clip(rep.error, 120))
    return head


def _changed_line(before: str, edit: Edit) -> tuple[int, str, str]:
    """(line number in ``before``, old line, new line) of the first line the edit changes."""
    start = before.index(edit.old)
    first = before.count("\n", 0, start) + 1
    old_lines, new_lines = edit.old.splitlines(), edit.new.splitlines()
    for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=False)):
        if a != b:
            return first + i, a, b
    i = min(len(old_lines), len(new_lines))
    return first + i, old_lines[i] if i < len(old_lines) else "", new_lines[i] if i < len(new_lines) else ""


def _inserted(edit: Edit) -> list[str]:
    old, new = edit.old.splitlines(), edit.new.splitlines()
    i = 0
    while i < len(old) and old[i] == new[i]:
        i += 1
    j = 0
    while j < len(old) - i and old[-1 - j] == new[-1 - j]:
        j += 1
    return new[i : len(new) - j]


def _run_check(c: Ctx, thought: str) -> Action:
    return c.act(thought, "bash", command=c.task.check_cmd)


def _orient(c: Ctx, share: float = 0.25) -> Generator[Action, str, bool]:
    """Sometimes (as engineers do in an unfamiliar repository) look at the layout first; True if it did."""
    if not c.chance(share):
        return False
    yield c.act(
        c.say(
            "Let me get my bearings in the workspace first.",
            "First, what is in this project?",
            "A quick look at the layout before anything else.",
        ),
        "bash",
        command="find . -name '*.py' -not -path '*/.*' -not -path '*/__pycache__/*' | sort | head -60",
    )
    return True


# What a module defines at the top level and in classes, and the attributes its methods set.
_SURVEY = r"grep -nE '^ *(def|class) |^[A-Za-z_][A-Za-z0-9_]* *=[^=]|^    [A-Z_][A-Z0-9_]* *=[^=]|self\.[A-Za-z_][A-Za-z0-9_]* *[:=][^=]' "


def _look_up(
    c: Ctx, path: str, code: str, thought: str, closing: str | None = None
) -> Generator[Action, str, str]:
    """Before writing ``code`` into ``path``: look at what it uses that the episode has not shown (the
    module's definitions, then a search of the project, then the helpers it calls); returns the thought
    that goes with the edit, ending with ``closing``. Nothing is looked up when everything it uses was
    already shown."""
    write = (
        closing
        if closing is not None
        else c.say(" Writing the body.", " Here is the implementation.", " Now the code.")
    )
    missing = c.unseen(code)
    if not missing:
        return thought + write
    out = yield c.act(
        thought
        + c.say(
            " Before writing it, let me see what {p} already defines that I can build on.",
            " First, which helpers, constants and attributes does {p} have?",
            " Let me list what {p} defines, so I reuse what exists rather than guess.",
            p=path,
        ),
        "bash",
        command=_SURVEY + path,
    )
    found = [n for n in missing if shown(n, out)]
    missing = c.unseen(code)
    if missing:
        bare = sorted({n.removeprefix("self.") for n in missing})
        out = yield c.act(
            _found_note(c, found)
            + c.say(
                " Not everything the body needs is defined in {p}; searching the project for the rest.",
                " The rest must come from another module; searching the project.",
                p=path,
            ),
            "bash",
            command=f"grep -rnwE '{'|'.join(bare)}' --include='*.py' . | head -40",
        )
        found += [n for n in missing if shown(n, out)]
    thought = _found_note(c, found)
    helpers = _helper_defs(out if not missing else "\n".join(c.seen[-2:]), code, path)
    for name, line in helpers[:2] if c.chance(0.7) else []:
        out = yield c.act(
            thought
            + c.say(
                " `{h}` is at line {l}; reading it to call it correctly.",
                " Let me read `{h}` (line {l}) before relying on it.",
                h=name,
                l=line,
            ),
            "read_file",
            path=path,
            start_line=line,
            end_line=line + 12,
        )
        thought = c.say("Now I know what `{h}` does.", "That's `{h}`.", "Good, `{h}` is clear.", h=name)
    return thought + write


def _found_note(c: Ctx, found: list[str]) -> str:
    if not found:
        return c.say("Nothing new there.", "That's the module's surface.")
    return c.say(
        "It has {names}, which I'll use.",
        "{names} {verb} already there; I'll build on {them}.",
        "Useful: {names}.",
        names=_quoted(found),
        verb="is" if len(found) == 1 else "are",
        them="it" if len(found) == 1 else "them",
    )


def _helper_defs(survey: str, code: str, path: str) -> list[tuple[str, int]]:
    """(name, line) of functions the survey of ``path`` showed defined and ``code`` calls."""
    tree_calls = {n.removeprefix("self.") for n in names_read(code)}
    out = []
    for m in re.finditer(r"^(?:\./)?(?:(\S+?):)?(\d+):\s*def (\w+)\(", survey, re.M):
        file, line, name = m.group(1), int(m.group(2)), m.group(3)
        if name in tree_calls and (file is None or file.lstrip("./") == path):
            out.append((name, line))
    return out


def _verify_and_finish(c: Ctx, what: str) -> PlanGen:
    plain = (
        "Now re-run the tests to confirm.",
        "Let me run the tests again.",
        "Checking the result with the test suite.",
    )
    # Quote the command only where the episode showed it (the task names it, or an earlier output did).
    named = shown_text(c.task.check_cmd, "\n".join(c.seen))
    out = yield _run_check(
        c, c.say(*plain, "Re-running `{cmd}`.", cmd=c.task.check_cmd) if named else c.say(*plain)
    )
    rep = parse_tests(out)
    if rep.passed:
        tail = c.say(
            " `{cmd}` passes now ({s}).",
            " The tests pass: {s}.",
            " Verified: {s}.",
            cmd=c.task.check_cmd,
            s=rep.summary or "exit code 0",
        )
        yield c.act(c.say("All green.", "The suite passes.", "That did it."), "finish", summary=what + tail)
    else:
        yield c.act(
            c.say("The tests still fail, so my change was not enough.", "Still failing."),
            "finish",
            summary=f"Attempted: {what} The tests still fail: {rep.summary or 'exit code ' + str(rep.exit_code)}.",
        )


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
    t, f = c.task, c.facts
    edit = t.solution.edits[0]
    buggy = t.start_text(edit.path)
    line, old_line, new_line = _changed_line(buggy, edit)
    oriented = yield from _orient(c)
    out = yield _run_check(
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
    thought = _tests_thought(c, out)
    frames = parse_tests(out).frames_in(edit.path)
    func = f.get("function")
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
        missing = " / ".join(s.strip() for s in _inserted(edit))
        prefix = ""
        if c.unseen(edit.new):  # what the missing code uses has not been shown: look first
            prefix = yield from _look_up(
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
        f"Restored the missing `{clip(' / '.join(s.strip() for s in _inserted(edit)), 80)}` in {where}({edit.path}:{line})."
        if op in ("drop_statement", "drop_branch")
        else f"Fixed {where}in {edit.path}:{line}: `{clip(old_line.strip(), 80)}` -> `{clip(new_line.strip(), 80)}`."
    )
    yield from _verify_and_finish(c, what)


def plan_implement(c: Ctx) -> PlanGen:
    """Coding: run the tests, read the stub and its docstring, write the body, re-run, finish."""
    t, f = c.task, c.facts
    edit = t.solution.edits[0]
    stubbed = t.start_text(edit.path)
    raise_line, _, _ = _changed_line(stubbed, edit)
    oriented = yield from _orient(c)
    out = yield _run_check(
        c,
        c.say("Now the current state of the tests.", "Next, the test suite as it stands.")
        if oriented
        else c.say(
            "Let me see the current state of the tests first.",
            "I'll run the tests to see which ones depend on `{fn}`.",
            "Running the test suite before touching anything.",
            fn=f["function"],
        ),
    )
    thought = _tests_thought(c, out)
    if "NotImplementedError" in out:
        thought += c.say(
            " They hit the NotImplementedError of the stub.",
            " As expected, the stub's NotImplementedError shows up.",
        )
    thought += c.say(" Let me read `{fn}`.", " Now the stub itself.", fn=f["function"])
    out = yield c.act(thought, "read_file", path=edit.path, start_line=f["line"], end_line=raise_line + 1)
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
    thought = yield from _look_up(c, edit.path, edit.new, thought)
    out = yield c.act(thought, "edit_file", path=edit.path, old_str=edit.old, new_str=edit.new)
    if out.startswith("edit_file:"):
        yield c.act("The edit did not apply.", "finish", summary=f"Could not write the body: {clip(out)}")
        return
    n = len(edit.new.splitlines()) - len(edit.old.splitlines()) + 1
    yield from _verify_and_finish(c, f"Implemented `{f['function']}` in {edit.path} ({n} lines).")


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


def _quoted(names: list[str]) -> str:
    """The names in backticks, joined as a sentence lists them: `f`, `g` and `h`."""
    quoted = [f"`{n}`" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _stubs_in_traceback(out: str, path: str, names: list[str], spans: list[tuple[int, int]]) -> list[str]:
    """The stubs whose lines (as the file is now) appear in the run's traceback frames of ``path``."""
    lines = [line for _, line, _ in parse_tests(out).frames_in(path)]
    hit = [n for n, (a, b) in zip(names, spans, strict=True) if any(a <= line <= b for line in lines)]
    return hit


def plan_implement_many(c: Ctx) -> PlanGen:
    """Coding, several stubs in one file: run the tests, then read and write each body in file order,
    maybe check in between, re-run, finish. Line numbers follow the file as the earlier edits left it."""
    t, f = c.task, c.facts
    path, names = f["path"], f["functions"]
    listed = _quoted(names)
    # spans[j]: where stub j is now; an edit shifts every stub below it (edits go in file order).
    spans = _stub_spans(t.start_text(path), f["lines"])
    out = yield _run_check(
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
    thought = _tests_thought(c, out) + _stub_note(c, out, path, names, spans)
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
        thought = yield from _look_up(c, path, edit.new, thought)
        out = yield c.act(thought, "edit_file", path=path, old_str=edit.old, new_str=edit.new)
        if out.startswith("edit_file:"):
            yield c.act("The edit did not apply.", "finish", summary=f"Could not write `{name}`: {clip(out)}")
            return
        delta = len(edit.new.splitlines()) - len(edit.old.splitlines())
        spans = spans[: k + 1] + [(a + delta, b + delta) for a, b in spans[k + 1 :]]
        added += delta + 1
        if k + 1 < len(names):
            thought = yield from _between_stubs(c, k, path, names, spans)
    yield from _verify_and_finish(c, f"Implemented {listed} in {path} ({added} lines of body in total).")


def _stub_note(c: Ctx, out: str, path: str, names: list[str], spans: list[tuple[int, int]]) -> str:
    hit = _stubs_in_traceback(out, path, names, spans)
    if len(hit) == 1:
        return c.say(
            " The traceback ends in {h}, which still raises NotImplementedError.",
            " It fails inside the stub {h}.",
            h=_quoted(hit),
        )
    if hit:
        return c.say(
            " The tracebacks end in the stubs {h}.",
            " The stubs {h} show up in the tracebacks.",
            h=_quoted(hit),
        )
    if "NotImplementedError" in out:
        return c.say(" They hit a stub's NotImplementedError.", " NotImplementedError shows up, as expected.")
    return ""


def _between_stubs(c: Ctx, k: int, path: str, names: list[str], spans: list[tuple[int, int]]) -> PlanGen:
    """After writing stub ``k``: sometimes (as people do) a test run first; returns the next thought."""
    done, nxt = names[k], names[k + 1]
    if k > 0 or c.say("check", "go on") != "check":
        return c.say("`{fn}` is written. Next, `{nxt}`.", "Done with `{fn}`; now `{nxt}`.", fn=done, nxt=nxt)
    out = yield _run_check(
        c, c.say("A quick test run to see where things stand.", "Let me see what the tests say now.")
    )
    if parse_tests(out).passed:
        return c.say(
            "Already green, but `{nxt}` is still a stub.", "It passes; `{nxt}` still needs its body.", nxt=nxt
        )
    rest = list(zip(names[k + 1 :], spans[k + 1 :], strict=True))
    left = _stubs_in_traceback(out, path, [n for n, _ in rest], [s for _, s in rest])
    if len(left) == 1:
        return _tests_thought(c, out) + c.say(
            " Now the failure comes from {l}, still a stub.",
            " The traceback is in {l} now, one of the remaining stubs.",
            l=_quoted(left),
        )
    if left:
        return _tests_thought(c, out) + c.say(
            " The remaining stubs, {l}, are what fails now.",
            " Now the tracebacks end in {l}.",
            l=_quoted(left),
        )
    return _tests_thought(c, out) + c.say(" Moving on to `{nxt}`.", " On to `{nxt}`.", nxt=nxt)


# ----------------------------------------------------------------------------- refactoring


def plan_rename(c: Ctx) -> PlanGen:
    f = c.facts
    old, new = f["old"], f["new"]
    out = yield c.act(
        c.say(
            "First, find every place `{old}` is used.",
            "Let me list all references to `{old}` before renaming.",
            "I'll grep for `{old}` across the Python files.",
            old=old,
        ),
        "bash",
        command=f"grep -rnw --include='*.py' {old} .",
    )
    hits = [ln for ln in out.splitlines() if re.match(r"^\./?[\w/.-]+\.py:\d+:", ln)]
    files = sorted({ln.split(":", 1)[0].removeprefix("./") for ln in hits})
    thought = c.say(
        "`{old}` appears {n} times in {k} file(s): {files}. A word-boundary `sed` over exactly those files renames "
        "all of them without touching longer names.",
        "{n} occurrences in {files}. I'll rename them in one go with `sed` on whole words.",
        old=old,
        n=len(hits),
        k=len(files),
        files=", ".join(files[:6]) + (" ..." if len(files) > 6 else ""),
    )
    yield c.act(thought, "bash", command=c.task.solution.commands[0])
    out = yield c.act(
        c.say("Check that nothing still uses the old name.", "Any `{old}` left?", old=old),
        "bash",
        command=f"grep -rnw --include='*.py' {old} . || echo 'no occurrences left'; grep -rnw --include='*.py' {new} . | head -n 5",
    )
    left = "no occurrences left" in out
    thought = (
        c.say(
            "No `{old}` left{extra}. Now the tests.",
            "The old name is gone{extra}; running the tests.",
            old=old,
            extra=f" and `{new}` shows up where expected" if new in out else "",
        )
        if left
        else c.say("Some references remain; running the tests to see the effect.")
    )
    out = yield _run_check(c, thought)
    rep = parse_tests(out)
    summary = f"Renamed `{old}` to `{new}` in {len(files)} file(s) ({', '.join(files[:6])})."
    yield c.act(
        c.say("Done.", "All good.") if rep.passed else c.say("The tests fail after the rename."),
        "finish",
        summary=summary + (f" Tests pass: {rep.summary}." if rep.passed else f" Tests fail: {rep.summary}."),
    )


def plan_extract_constant(c: Ctx) -> PlanGen:
    f = c.facts
    path, func, name, literal = f["path"], f["function"], f["name"], f["literal"]
    out = yield c.act(
        c.say(
            "Let me look at `{func}` and where {lit} is used.",
            "I'll find the literal {lit} in {path} first.",
            func=func,
            lit=literal,
            path=path,
        ),
        "bash",
        command=f"grep -n -w -F '{literal}' {path}",
    )
    hits = re.findall(r"^(\d+):", out, re.M)
    line = str(f["line"])
    where = (
        c.say("the one in `{func}` is line {l}", "only line {l} is inside `{func}`", func=func, l=line)
        if len(hits) > 1 and line in hits
        else c.say("line {l}", "at line {l}", l=line)
    )
    out = yield c.act(
        c.say(
            "{lit} shows up on {n} line(s); {where}. Reading the top of the module to see where module-level "
            "constants go.",
            "Found {n} match(es); {where}. Now the module header, where the constant belongs.",
            lit=literal,
            n=len(hits),
            where=where,
        ),
        "read_file",
        path=path,
        start_line=1,
        end_line=f["insert_after"] + 3,
    )
    e1, e2 = c.task.solution.edits
    out = yield c.act(
        c.say(
            "I'll define `{name} = {lit}` right after the imports.",
            "Adding the constant `{name}` below the imports.",
            name=name,
            lit=literal,
        ),
        "edit_file",
        path=path,
        old_str=e1.old,
        new_str=e1.new,
    )
    out = yield c.act(
        c.say(
            "Now use `{name}` in `{func}` instead of the bare {lit}.",
            "Replacing the literal in `{func}`.",
            name=name,
            func=func,
            lit=literal,
        ),
        "edit_file",
        path=path,
        old_str=e2.old,
        new_str=e2.new,
    )
    if out.startswith("edit_file:"):
        yield c.act(
            "The edit did not apply.", "finish", summary=f"Could not replace the literal: {clip(out)}"
        )
        return
    yield from _verify_and_finish(
        c, f"Extracted {literal} in `{func}` into the module-level constant `{name}` ({path})."
    )


def plan_dataclass(c: Ctx) -> PlanGen:
    f = c.facts
    path, cls = f["path"], f["cls"]
    out = yield c.act(
        c.say(
            "Let me read `{cls}` first.",
            "Reading the class `{cls}`.",
            "First a look at `{cls}` in {path}.",
            cls=cls,
            path=path,
        ),
        "read_file",
        path=path,
        start_line=f["line"],
        end_line=f["end_line"] + 2,
    )
    fields = ", ".join(f"`{x}`" for x in f["fields"])
    thought = c.say(
        "`__init__` only stores its arguments ({fields}) on `self`, exactly what `@dataclass` generates.",
        "The constructor is pure boilerplate: it assigns {fields}. A dataclass expresses that directly.",
        fields=fields,
    )
    thought += (
        c.say(" It defines `__eq__` itself, which the dataclass keeps.", " Its own `__eq__` stays as it is.")
        if f["eq"]
        else c.say(
            " It has no `__eq__`, so I use `eq=False` to keep identity comparison and hashing unchanged.",
            " No `__eq__` here: `@dataclass(eq=False)` keeps instances hashable and compared by identity, as before.",
        )
    )
    edits = c.task.solution.edits
    if len(edits) == 2:
        yield c.act(
            thought + " First the import.", "edit_file", path=path, old_str=edits[0].old, new_str=edits[0].new
        )
        thought = c.say("Now the class itself.", "Next, replace `__init__` by fields.")
    out = yield c.act(thought, "edit_file", path=path, old_str=edits[-1].old, new_str=edits[-1].new)
    if out.startswith("edit_file:"):
        yield c.act("The edit did not apply.", "finish", summary=f"Could not convert the class: {clip(out)}")
        return
    yield from _verify_and_finish(c, f"Converted `{cls}` ({path}) to a dataclass with fields {fields}.")


def plan_extract(c: Ctx) -> PlanGen:
    f = c.facts
    path = f["path"]
    (fa, fb), (ga, gb) = f["f_lines"], f["g_lines"]
    lo, hi = min(fa, ga) - 4, max(fb, gb) + 1
    out = yield c.act(
        c.say(
            "Let me read `{f}` and `{g}` side by side.",
            "First, the two functions in {path}.",
            f=f["f"],
            g=f["g"],
            path=path,
        ),
        "read_file",
        path=path,
        start_line=max(1, lo),
        end_line=hi,
    )
    helper_edit, g_edit, f_edit = c.task.solution.edits  # in the order they apply: g, f, helper
    thought = c.say(
        "Lines {fa}-{fb} of `{f}` and {ga}-{gb} of `{g}` are the same {n} checks (starting with `{first}`). They only "
        "read arguments, so they can move into `{h}` unchanged.",
        "Both functions open with the same {n} statements (`{first}` ...: lines {fa}-{fb} and {ga}-{gb}). I'll move "
        "them into `{h}`, starting with the later copy so the line numbers above stay put.",
        fa=fa,
        fb=fb,
        ga=ga,
        gb=gb,
        f=f["f"],
        g=f["g"],
        n=f["n"],
        first=clip(f["first"], 80),
        h=f["helper"],
    )
    out = yield c.act(thought, "edit_file", path=path, old_str=g_edit.old, new_str=g_edit.new)
    out = yield c.act(
        c.say("Now the copy in `{f}`.", "Same replacement in `{f}`.", f=f["f"]),
        "edit_file",
        path=path,
        old_str=f_edit.old,
        new_str=f_edit.new,
    )
    out = yield c.act(
        c.say("And the helper itself, right before `{f}`.", "Defining `{h}`.", f=f["f"], h=f["helper"]),
        "edit_file",
        path=path,
        old_str=helper_edit.old,
        new_str=helper_edit.new,
    )
    if out.startswith("edit_file:"):
        yield c.act("The edit did not apply.", "finish", summary=f"Could not extract the helper: {clip(out)}")
        return
    yield from _verify_and_finish(
        c, f"Extracted the {f['n']} checks shared by `{f['f']}` and `{f['g']}` into `{f['helper']}` ({path})."
    )


def _read_span(c: Ctx, first: int, last: int, what: str) -> Action:
    f = c.facts
    return c.act(
        c.say(
            "Now the code: {what}, in `{func}` ({path}).",
            "First a look at {what} in `{func}` ({path}).",
            "Reading `{func}` in {path} to see {what}.",
            what=what,
            func=f["function"],
            path=f["path"],
        ),
        "read_file",
        path=f["path"],
        start_line=max(1, first - 3),
        end_line=last + 3,
    )


def _baseline(c: Ctx) -> Action:
    plain = (
        "A refactoring must not change behaviour, so I'll record the test results before touching anything.",
        "Baseline first: the tests as they are now.",
    )
    if shown_text(c.task.check_cmd, "\n".join(c.seen)):
        return _run_check(
            c, c.say(*plain, "Running `{cmd}` before the change, to compare after.", cmd=c.task.check_cmd)
        )
    return _run_check(c, c.say(*plain))


def _baseline_note(c: Ctx, out: str) -> str:
    rep = parse_tests(out)
    if rep.passed:
        return c.say(
            "The tests pass before the change ({s}). ",
            "Baseline: green ({s}). ",
            s=rep.summary or "exit code 0",
        )
    return c.say(
        "Note: the suite does not pass as it is ({s}). ", s=rep.summary or f"exit code {rep.exit_code}"
    )


def _apply_and_finish(c: Ctx, thought: str, what: str) -> PlanGen:
    edit = c.task.solution.edits[0]
    out = yield c.act(thought, "edit_file", path=edit.path, old_str=edit.old, new_str=edit.new)
    if out.startswith("edit_file:"):
        yield c.act(
            "The edit did not apply.", "finish", summary=f"Could not apply the refactoring: {clip(out)}"
        )
        return
    yield from _verify_and_finish(c, what)


def plan_comprehension(c: Ctx) -> PlanGen:
    f = c.facts
    name = f["name"]
    out = yield _baseline(c)
    note = _baseline_note(c, out)
    out = yield _read_span(c, f["line"], f["end_line"], f"how `{name}` is built")
    loop_line = c.task.solution.edits[0].old.splitlines()
    header = next((ln.strip() for ln in loop_line if ln.strip().startswith("for ")), "the loop")
    shape = (
        c.say(
            "each iteration appends one of two values depending on a condition, so it becomes a conditional "
            "expression inside the comprehension",
            "both branches only append, so an `a if c else b` element expresses it",
        )
        if f.get("choice")
        else c.say(
            "the loop body only appends under one `if`, which becomes the comprehension's filter",
            "it appends only when the `if` holds, i.e. a filtered comprehension",
        )
        if f.get("cond")
        else c.say("the body is a single `{name}.append(...)`", "nothing but one append per item", name=name)
    )
    thought = note + c.say(
        "Lines {a}-{b}: `{name}` starts empty and `{header}` fills it; {shape}. The loop variable is not used "
        "outside the loop and nothing else appends to `{name}`, so a list comprehension gives the same list.",
        "`{name} = []` on line {a}, then `{header}` up to line {b}: {shape}. Same elements, same order, and the "
        "loop variable is not needed afterwards, so I'll replace the loop by a comprehension.",
        a=f["line"],
        b=f["end_line"],
        name=name,
        header=header,
        shape=shape,
    )
    yield from _apply_and_finish(
        c,
        thought,
        f"Built `{name}` in `{f['function']}` ({f['path']}) with a list comprehension instead of an append loop.",
    )


def plan_enumerate(c: Ctx) -> PlanGen:
    f = c.facts
    seq, i, item = f["seq"], f["index"], f["item"]
    out = yield _baseline(c)
    note = _baseline_note(c, out)
    out = yield _read_span(c, f["line"], f["end_line"], f"the `range(len({seq}))` loop")
    reads = f["reads"]
    thought = note + c.say(
        "Line {line} loops `for {i} in range(len({seq}))` and reads `{seq}[{i}]` {n} time(s); `{seq}` is never "
        "assigned or changed in the loop, so `enumerate({seq})` yields the same elements with the same index. "
        "I'll call the element `{item}`{idx}.",
        "`{seq}[{i}]` appears {n} time(s) in the loop at line {line}, and the loop never modifies `{seq}` or `{i}`: "
        "`for {i}, {item} in enumerate({seq})` is equivalent{idx}.",
        line=f["line"],
        seq=seq,
        i=i,
        n=reads,
        item=item,
        idx=c.say(" and keep `{i}` for its other uses", "; `{i}` is still needed elsewhere in the body", i=i)
        if f["uses_index"]
        else "",
    )
    yield from _apply_and_finish(
        c, thought, f"Replaced `range(len({seq}))` by `enumerate({seq})` in `{f['function']}` ({f['path']})."
    )


def plan_fstring(c: Ctx) -> PlanGen:
    f = c.facts
    lines = f["lines"]
    out = yield _baseline(c)
    note = _baseline_note(c, out)
    out = yield _read_span(c, min(lines), max(lines), "the formatting expression(s)")
    pairs = "; ".join(
        f"`{clip(a, 70)}` -> `{clip(b, 70)}`" for a, b in zip(f["snippets"], f["fstrings"], strict=True)
    )
    thought = note + c.say(
        "Line(s) {lines}: {pairs}. Only `%s`/`%r` conversions or plain `{{}}` fields with simple arguments, so the "
        "f-string renders the same text (literal braces doubled).",
        "{pairs} (line(s) {lines}). The placeholders map one to one onto the arguments, in order, with the same "
        "conversions, so the output does not change.",
        lines=", ".join(map(str, lines)),
        pairs=pairs,
    )
    yield from _apply_and_finish(
        c,
        thought,
        f"Rewrote {len(lines)} formatting expression(s) in `{f['function']}` ({f['path']}) as f-strings.",
    )


# ----------------------------------------------------------------------------- devops


def plan_merge(c: Ctx) -> PlanGen:
    f = c.facts
    branch, edit = f["branch"], c.task.solution.edits[0]
    out = yield c.act(
        c.say("Let me look at the branches and their history first.", "First, the state of the repository."),
        "bash",
        command="git status --short --branch && git log --oneline --graph --all",
    )
    out = yield c.act(
        c.say("`{b}` is there; merging it into main.", "Now the merge itself.", b=branch),
        "bash",
        command=f"git merge {branch}",
    )
    conflicted = re.findall(r"Merge conflict in (\S+)", out)
    if not conflicted:
        yield c.act(
            "The merge went through without conflicts.", "finish", summary=f"Merged {branch}; no conflicts."
        )
        return
    out = yield c.act(
        c.say(
            "Conflict in {files}. Let me see the conflicting hunk.",
            "The merge stopped on a conflict in {files}; finding the markers.",
            files=", ".join(conflicted),
        ),
        "bash",
        command=f"grep -n -e '^<<<<<<<' -e '^=======' -e '^>>>>>>>' {edit.path}",
    )
    marks = [int(n) for n in re.findall(r"^(\d+):", out, re.M)]
    lo, hi = (max(1, marks[0] - 3), marks[-1] + 3) if marks else (1, 40)
    out = yield c.act(
        c.say("Reading that part of the file.", "Let me read the hunk."),
        "read_file",
        path=edit.path,
        start_line=lo,
        end_line=hi,
    )
    ours = edit.new.rstrip("\n").rsplit("  #", 1)[0].strip()
    thought = c.say(
        'main (HEAD) has `{ours}` from the commit "{fix}", while {b} only added a comment to the old line. I\'ll keep '
        "main's code and the branch's comment.",
        "Both sides touched the same line: HEAD carries the fix (`{ours}`), the branch a comment. Resolution: the "
        "fixed line with the comment.",
        ours=clip(ours, 100),
        fix=f["fix"],
        b=branch,
    )
    out = yield c.act(thought, "edit_file", path=edit.path, old_str=edit.old, new_str=edit.new)
    if out.startswith("edit_file:"):
        yield c.act(
            "The edit did not apply.", "finish", summary=f"Could not resolve the conflict: {clip(out)}"
        )
        return
    out = yield _run_check(
        c, c.say("Tests before committing the merge.", "Running the tests on the resolved tree.")
    )
    rep = parse_tests(out)
    if not rep.passed:
        yield c.act(
            "The tests fail.", "finish", summary=f"Resolved the conflict but the tests fail: {rep.summary}."
        )
        return
    out = yield c.act(
        c.say(
            "Green ({s}). Committing the merge.",
            "Tests pass ({s}); concluding the merge.",
            s=rep.summary or "exit 0",
        ),
        "bash",
        command=f"git add {edit.path} && git commit --no-edit -q && git log --oneline --graph -5",
    )
    yield c.act(
        c.say("The merge commit is in.", "Merged."),
        "finish",
        summary=f"Merged {branch} into main; resolved the conflict in {edit.path} by keeping main's fix and the "
        f"branch's comment. Tests pass ({rep.summary}).",
    )


def plan_revert(c: Ctx) -> PlanGen:
    f = c.facts
    out = yield _run_check(
        c, c.say("First, confirm the tests fail.", "Running the tests to see the failure.")
    )
    thought = _tests_thought(c, out) + c.say(
        " Now the recent history, with the files each commit touched.",
        " Let me see which commits changed what.",
    )
    out = yield c.act(thought, "bash", command="git log --oneline --stat")
    sha = find_hash(out, f["subject"])
    if sha is None:
        yield c.act("I can't find the commit.", "finish", summary="Could not identify the bad commit.")
        return
    out = yield c.act(
        c.say(
            'Apart from the initial import, only {sha} "{subj}" changed code ({path}); the others are docs. Let me see its diff.',
            '{sha} ("{subj}") is the only later commit touching {path}. Inspecting it.',
            sha=sha,
            subj=f["subject"],
            path=f["path"],
        ),
        "bash",
        command=f"git show {sha}",
    )
    minus = [ln[1:].strip() for ln in out.splitlines() if ln.startswith("-") and not ln.startswith("---")]
    plus = [ln[1:].strip() for ln in out.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    detail = f" It changed `{clip(minus[0], 80)}` into `{clip(plus[0], 80)}`." if minus and plus else ""
    out = yield c.act(
        c.say(
            "That's the regression.{d} Reverting it.",
            "This commit introduced the bug.{d} I'll revert it.",
            d=detail,
        ),
        "bash",
        command=f"git revert --no-edit {sha}",
    )
    out = yield _run_check(c, c.say("Tests after the revert.", "Re-running the tests."))
    rep = parse_tests(out)
    yield c.act(
        c.say("Fixed.", "Green again.") if rep.passed else "Still failing.",
        "finish",
        summary=f'Reverted {sha} ("{f["subject"]}") with `git revert`; history is kept. '
        + (f"Tests pass: {rep.summary}." if rep.passed else f"Tests still fail: {rep.summary}."),
    )


def plan_bisect(c: Ctx) -> PlanGen:
    cmd = c.task.check_cmd
    out = yield c.act(
        c.say("Let me see the history between v1.0 and HEAD.", "First the commit list."),
        "bash",
        command="git log --oneline --decorate",
    )
    n = len([ln for ln in out.splitlines() if re.match(r"^[0-9a-f]{7,40} ", ln)])
    out = yield c.act(
        c.say(
            "{n} commits. I'll let git bisect run the test suite on each step.",
            "There are {n} commits; `git bisect run` with the tests finds the first bad one automatically.",
            n=n,
        ),
        "bash",
        command=f"git bisect start HEAD v1.0 && git bisect run {cmd}",
    )
    m = re.search(r"\b([0-9a-f]{40}) is the first bad commit", out)
    if not m:
        yield c.act(
            "Bisect did not conclude.", "finish", summary="git bisect did not find a first bad commit."
        )
        return
    sha = m.group(1)
    after = out[m.end() :]
    subj = re.search(r"^ {4}(\S.*)$", after, re.M)
    subject = subj.group(1).strip() if subj else ""
    out = yield c.act(
        c.say(
            "Bisect says {short} is the first bad commit{s}. Resetting the bisect state.",
            "First bad commit: {short}{s}. Cleaning up the bisect first.",
            short=sha[:10],
            s=f' ("{clip(subject, 60)}")' if subject else "",
        ),
        "bash",
        command="git bisect reset",
    )
    yield c.act(
        c.say("Writing the hash to BAD_COMMIT.", "Saving the answer."),
        "write_file",
        path="BAD_COMMIT",
        content=sha + "\n",
    )
    yield c.act(
        c.say("Done.", "That's it."),
        "finish",
        summary=f"git bisect between v1.0 and HEAD found {sha} as the first bad commit; its hash is in BAD_COMMIT.",
    )


def plan_patch(c: Ctx) -> PlanGen:
    """Shell scripts, configs, Makefiles: run the check, read the file, fix it, re-run, finish."""
    f = c.facts
    target = f["file"]
    out = yield _run_check(
        c,
        c.say(
            "Let me run `{cmd}` and see what happens.",
            "First, reproduce the problem: `{cmd}`.",
            "Running `{cmd}`.",
            cmd=c.task.check_cmd,
        ),
    )
    code = parse_tests(out).exit_code
    last = [ln for ln in out.splitlines() if ln.strip() and not ln.startswith("[exit code")]
    seen = (
        c.say("It exits with code {code}", "It fails with exit code {code}", code=code)
        if code not in (0, None)
        else c.say("It runs but the output looks wrong", "It exits 0, yet the result is off")
    )
    if last:
        seen += c.say(": `{l}`.", " (last line: `{l}`).", l=clip(last[-1], 100))
    else:
        seen += c.say(" and prints nothing.", ", with no output at all.")
    out = yield c.act(
        seen + c.say(" Let me read {t}.", " Looking at {t}.", t=target), "read_file", path=target
    )
    edit = c.task.solution.edits[0]
    if edit.old:
        out = yield c.act(f["diagnosis"], "edit_file", path=edit.path, old_str=edit.old, new_str=edit.new)
    else:
        out = yield c.act(f["diagnosis"], "write_file", path=edit.path, content=edit.new)
    if out.startswith(("edit_file:", "write_file:")):
        yield c.act("The edit did not apply.", "finish", summary=f"Could not apply the fix: {clip(out)}")
        return
    out = yield _run_check(c, c.say("Running it again.", "Checking with `{cmd}`.", cmd=c.task.check_cmd))
    code = parse_tests(out).exit_code
    shown = clip(" / ".join(ln for ln in out.splitlines()[:3] if not ln.startswith("[exit code")), 120)
    yield c.act(
        c.say("It works now.", "Now it succeeds.") if code == 0 else "It still fails.",
        "finish",
        summary=f["summary"]
        + (f" `{c.task.check_cmd}` now exits 0 and prints: {shown}" if code == 0 else " It still fails."),
    )


def plan_pins(c: Ctx) -> PlanGen:
    out = yield _run_check(
        c, c.say("Let me run the pin checker first.", "First, what does check_pins.py complain about?")
    )
    problems = [ln for ln in out.splitlines() if ln.startswith("requirements.txt")]
    out = yield c.act(
        c.say(
            "{n} problem(s), e.g. `{p}`. I need the constraints and the available versions.",
            "The checker reports {n} issue(s) (first: `{p}`). Reading constraints.txt and index.json.",
            n=len(problems),
            p=clip(problems[0], 100) if problems else "?",
        ),
        "bash",
        command="cat constraints.txt && cat index.json",
    )
    pins = c.facts["pins"]
    yield c.act(
        c.say(
            "For each package I take the newest version in index.json that constraints.txt allows: {pins}.",
            "Newest allowed versions: {pins}. Writing exact pins.",
            pins=", ".join(pins),
        ),
        "write_file",
        path="requirements.txt",
        content=c.task.solution.edits[0].new,
    )
    out = yield _run_check(c, c.say("Re-running the checker.", "Checking again."))
    ok = parse_tests(out).exit_code == 0
    yield c.act(
        c.say("All pins are valid.", "The checker is happy.") if ok else "Still failing.",
        "finish",
        summary=f"Pinned requirements.txt to the newest allowed versions: {', '.join(pins)}. "
        + ("`python check_pins.py` passes." if ok else "The checker still fails."),
    )


PLANS: dict[str, Callable[[Ctx], PlanGen]] = {
    "fix": plan_fix,
    "implement": plan_implement,
    "implement_many": plan_implement_many,
    "rename": plan_rename,
    "extract_constant": plan_extract_constant,
    "dataclass": plan_dataclass,
    "extract": plan_extract,
    "comprehension": plan_comprehension,
    "enumerate": plan_enumerate,
    "fstring": plan_fstring,
    "merge": plan_merge,
    "revert": plan_revert,
    "bisect": plan_bisect,
    "patch": plan_patch,
    "pins": plan_pins,
}


def _shows_what_it_edits(c: Ctx, plan: PlanGen) -> PlanGen:
    """Every plan, wrapped: before an ``edit_file`` whose ``old_str`` has lines the episode has not shown
    (a multi-line replacement reaching past what a grep or a read displayed), show those lines first with
    ``grep -n -F``, so the edit never rewrites text the agent has not seen."""
    action = next(plan)
    while True:
        if action.tool == "edit_file":
            text = "\n".join(c.seen)
            hidden = [ln.strip() for ln in str(action.arguments.get("old_str", "")).splitlines()]
            hidden = list(dict.fromkeys(ln for ln in hidden if ln and not shown_text(ln, text)))[:4]
            if hidden:
                patterns = " ".join(f"-e {shlex.quote(ln)}" for ln in hidden)
                yield c.act(
                    c.say(
                        "Before editing, the exact lines as they are now.",
                        "Let me see those lines verbatim first.",
                        "Checking the surrounding lines before I change them.",
                    ),
                    "bash",
                    command=f"grep -n -F {patterns} {shlex.quote(str(action.arguments['path']))}",
                )
        observation = yield action
        try:
            action = plan.send(observation)
        except StopIteration:
            return


# ----------------------------------------------------------------------------- the policy


class OraclePolicy:
    """``oracle``: replays its plan for the task over the conversation's observations."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.name = "oracle"

    async def act(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]], task: Task
    ) -> PolicyResponse:
        plan = PLANS.get(task.solution.kind)
        if plan is None:
            raise ValueError(f"the oracle has no plan for solution kind {task.solution.kind!r}")
        observations = [m.get("content") or "" for m in messages if m["role"] == "tool"]
        step = sum(1 for m in messages if m["role"] == "assistant")
        context = [m.get("content") or "" for m in messages if m["role"] in ("system", "user")]
        ctx = Ctx(task, self.seed, context)
        gen = _shows_what_it_edits(ctx, plan(ctx))
        try:
            action = next(gen)
            for obs in observations[:step]:
                ctx.observe(obs)
                action = gen.send(obs)
        except StopIteration:
            action = Action("Nothing left to do.", "finish", {"summary": "Stopped: the plan is complete."})
        call = {
            "id": f"call_{step + 1}",
            "type": "function",
            "function": {"name": action.tool, "arguments": action.arguments},
        }
        return PolicyResponse(
            message={"role": "assistant", "content": action.thought, "tool_calls": [call]}, usage=Usage()
        )
