"""Refactoring: baseline test run, read the code, change it without changing behaviour, verify."""

from __future__ import annotations

import re

from agentic_pipeline.policies.observe import clip, parse_tests
from agentic_pipeline.policies.oracle.base import (
    Action,
    Ctx,
    PlanGen,
    run_check,
    shown_text,
    verify_and_finish,
)
from agentic_pipeline.tasks.facts import (
    ComprehensionFacts,
    ConstantFacts,
    DataclassFacts,
    EnumerateFacts,
    ExtractFacts,
    FstringFacts,
    RenameFacts,
)

# ----------------------------------------------------------------------------- refactoring


def plan_rename(c: Ctx) -> PlanGen:
    f = c.facts_as(RenameFacts)
    old, new = f.old, f.new
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
    out = yield run_check(c, thought)
    rep = parse_tests(out)
    summary = f"Renamed `{old}` to `{new}` in {len(files)} file(s) ({', '.join(files[:6])})."
    yield c.act(
        c.say("Done.", "All good.") if rep.passed else c.say("The tests fail after the rename."),
        "finish",
        summary=summary + (f" Tests pass: {rep.summary}." if rep.passed else f" Tests fail: {rep.summary}."),
    )


def plan_extract_constant(c: Ctx) -> PlanGen:
    f = c.facts_as(ConstantFacts)
    path, func, name, literal = f.path, f.function, f.name, f.literal
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
    line = str(f.line)
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
        end_line=f.insert_after + 3,
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
    yield from verify_and_finish(
        c, f"Extracted {literal} in `{func}` into the module-level constant `{name}` ({path})."
    )


def plan_dataclass(c: Ctx) -> PlanGen:
    f = c.facts_as(DataclassFacts)
    path, cls = f.path, f.cls
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
        start_line=f.line,
        end_line=f.end_line + 2,
    )
    fields = ", ".join(f"`{x}`" for x in f.fields)
    thought = c.say(
        "`__init__` only stores its arguments ({fields}) on `self`, exactly what `@dataclass` generates.",
        "The constructor is pure boilerplate: it assigns {fields}. A dataclass expresses that directly.",
        fields=fields,
    )
    thought += (
        c.say(" It defines `__eq__` itself, which the dataclass keeps.", " Its own `__eq__` stays as it is.")
        if f.eq
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
    yield from verify_and_finish(c, f"Converted `{cls}` ({path}) to a dataclass with fields {fields}.")


def plan_extract(c: Ctx) -> PlanGen:
    f = c.facts_as(ExtractFacts)
    path = f.path
    (fa, fb), (ga, gb) = f.f_lines, f.g_lines
    lo, hi = min(fa, ga) - 4, max(fb, gb) + 1
    out = yield c.act(
        c.say(
            "Let me read `{f}` and `{g}` side by side.",
            "First, the two functions in {path}.",
            f=f.f,
            g=f.g,
            path=path,
        ),
        "read_file",
        path=path,
        start_line=max(1, lo),
        end_line=hi,
    )
    g_edit, f_edit, helper_edit = c.task.solution.edits
    thought = c.say(
        "Lines {fa}-{fb} of `{f}` and {ga}-{gb} of `{g}` are the same {n} checks (starting with `{first}`). They only "
        "read arguments, so they can move into `{h}` unchanged.",
        "Both functions open with the same {n} statements (`{first}` ...: lines {fa}-{fb} and {ga}-{gb}). I'll move "
        "them into `{h}`, starting with the later copy so the line numbers above stay put.",
        fa=fa,
        fb=fb,
        ga=ga,
        gb=gb,
        f=f.f,
        g=f.g,
        n=f.n,
        first=clip(f.first, 80),
        h=f.helper,
    )
    out = yield c.act(thought, "edit_file", path=path, old_str=g_edit.old, new_str=g_edit.new)
    out = yield c.act(
        c.say("Now the copy in `{f}`.", "Same replacement in `{f}`.", f=f.f),
        "edit_file",
        path=path,
        old_str=f_edit.old,
        new_str=f_edit.new,
    )
    out = yield c.act(
        c.say("And the helper itself, right before `{f}`.", "Defining `{h}`.", f=f.f, h=f.helper),
        "edit_file",
        path=path,
        old_str=helper_edit.old,
        new_str=helper_edit.new,
    )
    if out.startswith("edit_file:"):
        yield c.act("The edit did not apply.", "finish", summary=f"Could not extract the helper: {clip(out)}")
        return
    yield from verify_and_finish(
        c, f"Extracted the {f.n} checks shared by `{f.f}` and `{f.g}` into `{f.helper}` ({path})."
    )


def _read_span(
    c: Ctx, f: ComprehensionFacts | EnumerateFacts | FstringFacts, first: int, last: int, what: str
) -> Action:
    return c.act(
        c.say(
            "Now the code: {what}, in `{func}` ({path}).",
            "First a look at {what} in `{func}` ({path}).",
            "Reading `{func}` in {path} to see {what}.",
            what=what,
            func=f.function,
            path=f.path,
        ),
        "read_file",
        path=f.path,
        start_line=max(1, first - 3),
        end_line=last + 3,
    )


def _baseline(c: Ctx) -> Action:
    plain = (
        "A refactoring must not change behaviour, so I'll record the test results before touching anything.",
        "Baseline first: the tests as they are now.",
    )
    if shown_text(c.task.check_cmd, "\n".join(c.seen)):
        return run_check(
            c, c.say(*plain, "Running `{cmd}` before the change, to compare after.", cmd=c.task.check_cmd)
        )
    return run_check(c, c.say(*plain))


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
    yield from verify_and_finish(c, what)


def plan_comprehension(c: Ctx) -> PlanGen:
    f = c.facts_as(ComprehensionFacts)
    name = f.name
    out = yield _baseline(c)
    note = _baseline_note(c, out)
    out = yield _read_span(c, f, f.line, f.end_line, f"how `{name}` is built")
    loop_line = c.task.solution.edits[0].old.splitlines()
    header = next((ln.strip() for ln in loop_line if ln.strip().startswith("for ")), "the loop")
    shape = (
        c.say(
            "each iteration appends one of two values depending on a condition, so it becomes a conditional "
            "expression inside the comprehension",
            "both branches only append, so an `a if c else b` element expresses it",
        )
        if f.choice
        else c.say(
            "the loop body only appends under one `if`, which becomes the comprehension's filter",
            "it appends only when the `if` holds, i.e. a filtered comprehension",
        )
        if f.cond
        else c.say("the body is a single `{name}.append(...)`", "nothing but one append per item", name=name)
    )
    thought = note + c.say(
        "Lines {a}-{b}: `{name}` starts empty and `{header}` fills it; {shape}. The loop variable is not used "
        "outside the loop and nothing else appends to `{name}`, so a list comprehension gives the same list.",
        "`{name} = []` on line {a}, then `{header}` up to line {b}: {shape}. Same elements, same order, and the "
        "loop variable is not needed afterwards, so I'll replace the loop by a comprehension.",
        a=f.line,
        b=f.end_line,
        name=name,
        header=header,
        shape=shape,
    )
    yield from _apply_and_finish(
        c,
        thought,
        f"Built `{name}` in `{f.function}` ({f.path}) with a list comprehension instead of an append loop.",
    )


def plan_enumerate(c: Ctx) -> PlanGen:
    f = c.facts_as(EnumerateFacts)
    seq, i, item = f.seq, f.index, f.item
    out = yield _baseline(c)
    note = _baseline_note(c, out)
    out = yield _read_span(c, f, f.line, f.end_line, f"the `range(len({seq}))` loop")
    reads = f.reads
    thought = note + c.say(
        "Line {line} loops `for {i} in range(len({seq}))` and reads `{seq}[{i}]` {n} time(s); `{seq}` is never "
        "assigned or changed in the loop, so `enumerate({seq})` yields the same elements with the same index. "
        "I'll call the element `{item}`{idx}.",
        "`{seq}[{i}]` appears {n} time(s) in the loop at line {line}, and the loop never modifies `{seq}` or `{i}`: "
        "`for {i}, {item} in enumerate({seq})` is equivalent{idx}.",
        line=f.line,
        seq=seq,
        i=i,
        n=reads,
        item=item,
        idx=c.say(" and keep `{i}` for its other uses", "; `{i}` is still needed elsewhere in the body", i=i)
        if f.uses_index
        else "",
    )
    yield from _apply_and_finish(
        c, thought, f"Replaced `range(len({seq}))` by `enumerate({seq})` in `{f.function}` ({f.path})."
    )


def plan_fstring(c: Ctx) -> PlanGen:
    f = c.facts_as(FstringFacts)
    lines = f.lines
    out = yield _baseline(c)
    note = _baseline_note(c, out)
    out = yield _read_span(c, f, min(lines), max(lines), "the formatting expression(s)")
    pairs = "; ".join(
        f"`{clip(a, 70)}` -> `{clip(b, 70)}`" for a, b in zip(f.snippets, f.fstrings, strict=True)
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
        f"Rewrote {len(lines)} formatting expression(s) in `{f.function}` ({f.path}) as f-strings.",
    )
