"""What every plan shares: the context (the task, what the episode showed, seeded phrasing), running
the check, looking up what an edit will use, verifying and finishing."""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, TypeVar

from agentic_pipeline.grounding import code_refs
from agentic_pipeline.policies.observe import clip, parse_tests
from agentic_pipeline.tasks.base import Edit, Task
from agentic_pipeline.tasks.facts import Facts


@dataclass
class Action:
    thought: str
    tool: str
    arguments: dict[str, Any]


PlanGen = Generator[Action, str, None]
F = TypeVar("F", bound=Facts)


class Ctx:
    """What a plan sees: the task, what the episode has shown so far, and a deterministic phrase picker."""

    def __init__(self, task: Task, seed: int, context: list[str] | None = None) -> None:
        self.task = task
        self._rng = random.Random(int(hashlib.sha256(f"{task.id}\x00{seed}".encode()).hexdigest()[:16], 16))
        self.seen: list[str] = list(context or [task.instruction])  # system/user text, then observations

    def facts_as(self, cls: type[F]) -> F:
        """The task's facts as the record ``cls`` of its kind (``agentic_pipeline.tasks.facts``)."""
        return self.task.solution.facts_as(cls)

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


def tests_thought(c: Ctx, out: str) -> str:
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


def changed_line(before: str, edit: Edit) -> tuple[int, str, str]:
    """(line number in ``before``, old line, new line) of the first line the edit changes."""
    start = before.index(edit.old)
    first = before.count("\n", 0, start) + 1
    old_lines, new_lines = edit.old.splitlines(), edit.new.splitlines()
    for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=False)):
        if a != b:
            return first + i, a, b
    i = min(len(old_lines), len(new_lines))
    return first + i, old_lines[i] if i < len(old_lines) else "", new_lines[i] if i < len(new_lines) else ""


def inserted(edit: Edit) -> list[str]:
    old, new = edit.old.splitlines(), edit.new.splitlines()
    i = 0
    while i < len(old) and old[i] == new[i]:
        i += 1
    j = 0
    while j < len(old) - i and old[-1 - j] == new[-1 - j]:
        j += 1
    return new[i : len(new) - j]


def run_check(c: Ctx, thought: str) -> Action:
    return c.act(thought, "bash", command=c.task.check_cmd)


def orient(c: Ctx, share: float = 0.25) -> Generator[Action, str, bool]:
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


def look_up(
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
        names=quoted(found),
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


def verify_and_finish(c: Ctx, what: str) -> PlanGen:
    plain = (
        "Now re-run the tests to confirm.",
        "Let me run the tests again.",
        "Checking the result with the test suite.",
    )
    # Quote the command only where the episode showed it (the task names it, or an earlier output did).
    named = shown_text(c.task.check_cmd, "\n".join(c.seen))
    out = yield run_check(
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


def quoted(names: list[str]) -> str:
    """The names in backticks, joined as a sentence lists them: `f`, `g` and `h`."""
    quoted = [f"`{n}`" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
