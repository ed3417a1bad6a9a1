"""Devops: merges, reverts, bisects, patches and pinned requirements, with the real git and make."""

from __future__ import annotations

import re

from agentic_pipeline.policies.observe import clip, find_hash, parse_tests
from agentic_pipeline.policies.oracle.base import Ctx, PlanGen, run_check, tests_thought
from agentic_pipeline.tasks.facts import MergeFacts, PatchFacts, PinsFacts, RevertFacts

# ----------------------------------------------------------------------------- devops


def plan_merge(c: Ctx) -> PlanGen:
    f = c.facts_as(MergeFacts)
    branch, edit = f.branch, c.task.solution.edits[0]
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
        fix=f.fix,
        b=branch,
    )
    out = yield c.act(thought, "edit_file", path=edit.path, old_str=edit.old, new_str=edit.new)
    if out.startswith("edit_file:"):
        yield c.act(
            "The edit did not apply.", "finish", summary=f"Could not resolve the conflict: {clip(out)}"
        )
        return
    out = yield run_check(
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
    f = c.facts_as(RevertFacts)
    out = yield run_check(c, c.say("First, confirm the tests fail.", "Running the tests to see the failure."))
    thought = tests_thought(c, out) + c.say(
        " Now the recent history, with the files each commit touched.",
        " Let me see which commits changed what.",
    )
    out = yield c.act(thought, "bash", command="git log --oneline --stat")
    sha = find_hash(out, f.subject)
    if sha is None:
        yield c.act("I can't find the commit.", "finish", summary="Could not identify the bad commit.")
        return
    out = yield c.act(
        c.say(
            'Apart from the initial import, only {sha} "{subj}" changed code ({path}); the others are docs. Let me see its diff.',
            '{sha} ("{subj}") is the only later commit touching {path}. Inspecting it.',
            sha=sha,
            subj=f.subject,
            path=f.path,
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
    out = yield run_check(c, c.say("Tests after the revert.", "Re-running the tests."))
    rep = parse_tests(out)
    yield c.act(
        c.say("Fixed.", "Green again.") if rep.passed else "Still failing.",
        "finish",
        summary=f'Reverted {sha} ("{f.subject}") with `git revert`; history is kept. '
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
    f = c.facts_as(PatchFacts)
    target = f.file
    out = yield run_check(
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
        out = yield c.act(f.diagnosis, "edit_file", path=edit.path, old_str=edit.old, new_str=edit.new)
    else:
        out = yield c.act(f.diagnosis, "write_file", path=edit.path, content=edit.new)
    if out.startswith(("edit_file:", "write_file:")):
        yield c.act("The edit did not apply.", "finish", summary=f"Could not apply the fix: {clip(out)}")
        return
    out = yield run_check(c, c.say("Running it again.", "Checking with `{cmd}`.", cmd=c.task.check_cmd))
    code = parse_tests(out).exit_code
    shown = clip(" / ".join(ln for ln in out.splitlines()[:3] if not ln.startswith("[exit code")), 120)
    yield c.act(
        c.say("It works now.", "Now it succeeds.") if code == 0 else "It still fails.",
        "finish",
        summary=f.summary
        + (f" `{c.task.check_cmd}` now exits 0 and prints: {shown}" if code == 0 else " It still fails."),
    )


def plan_pins(c: Ctx) -> PlanGen:
    out = yield run_check(
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
    pins = c.facts_as(PinsFacts).pins
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
    out = yield run_check(c, c.say("Re-running the checker.", "Checking again."))
    ok = parse_tests(out).exit_code == 0
    yield c.act(
        c.say("All pins are valid.", "The checker is happy.") if ok else "Still failing.",
        "finish",
        summary=f"Pinned requirements.txt to the newest allowed versions: {', '.join(pins)}. "
        + ("`python check_pins.py` passes." if ok else "The checker still fails."),
    )
