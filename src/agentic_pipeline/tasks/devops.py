"""The devops family: each task is checked by running the real tool (git, bash, make, the program).

From a code source (a real git history is built in the sandbox by the task's setup, with fixed
authors and dates so hashes are reproducible):

- merge: ``main`` fixed a bug on a line that branch ``feature/...`` also touched; merge, resolve,
  commit (tests pass, no conflict markers, a two-parent merge commit that contains the branch);
- revert: a later commit broke the tests; revert it with ``git revert`` (history kept);
- bisect: tests passed at tag ``v1.0`` and fail at HEAD; find the first bad commit with git bisect
  and write its hash to ``BAD_COMMIT``;
- make: add a Makefile target (``make <target>`` works and has its effect).

Built in (``devops_templates``): fix a failing shell script (its output must be the expected one),
repair a YAML/TOML/INI file a program fails to load (it loads and prints the expected values), pin
dependencies (a checker validates every pin with ``packaging`` specifiers).
"""

from __future__ import annotations

import ast
import shlex

from agentic_pipeline.tasks.base import Check, Edit, Solution, Task, Verifier, task_id
from agentic_pipeline.tasks.code_families import debugging_tasks, rng_for
from agentic_pipeline.tasks.facts import BisectFacts, FixFacts, MergeFacts, PatchFacts, RevertFacts
from agentic_pipeline.tasks.sources import CodeSource

GIT_IDENTITY = (
    "export GIT_AUTHOR_NAME='Dana Reyes' GIT_AUTHOR_EMAIL='dana@example.com' "
    "GIT_COMMITTER_NAME='Dana Reyes' GIT_COMMITTER_EMAIL='dana@example.com'"
)
STAGE = ".task"  # staged file versions the setup script commits, removed before the agent starts
PER_SOURCE = 10  # tasks of each git kind per source

_COMMENTS = ("# edge case covered by the tests", "# keep in sync with the docs", "# hot path", "# reviewed")
_DOC_COMMITS = (
    ("CHANGELOG.md", "# Changelog\n\n- Initial public version.\n", "Add changelog"),
    ("docs/usage.md", "# Usage\n\nRun the tests with `python -m pytest`.\n", "Document how to run the tests"),
    ("CONTRIBUTING.md", "# Contributing\n\nOpen a pull request against `main`.\n", "Add contributing guide"),
    (
        "docs/design.md",
        "# Design notes\n\nThe package has no third-party dependencies.\n",
        "Write design notes",
    ),
    (".editorconfig", "root = true\n\n[*.py]\nindent_style = space\nindent_size = 4\n", "Add editorconfig"),
    ("docs/faq.md", "# FAQ\n\n**Is it thread-safe?** Not yet.\n", "Start an FAQ"),
    ("SECURITY.md", "# Security\n\nReport issues privately to the maintainers.\n", "Add security policy"),
)


def _commit(msg: str, day: int) -> str:
    date = f"2024-05-{day:02d}T10:00:00Z"
    return f"GIT_AUTHOR_DATE={date} GIT_COMMITTER_DATE={date} git commit -q -m {shlex.quote(msg)}"


def _git_prologue(first_commit: str) -> list[str]:
    """Shell lines that turn the staged workspace into a repository with one commit."""
    return [
        "set -e",
        GIT_IDENTITY,
        f"mv {STAGE} /tmp/stage",
        "git init -q",
        "git add -A",
        _commit(first_commit, 1),
    ]


def _single_line_mutants(src: CodeSource) -> list[Task]:
    """Debugging candidates whose fix changes exactly one line (what a clean conflict/revert needs)."""
    out = []
    for t in debugging_tasks(src):
        e = t.solution.edits[0]
        if len(e.old.splitlines()) == 1 and len(e.new.splitlines()) == 1 and _commentable(src, t):
            out.append(t)
    return out


def _commentable(src: CodeSource, t: Task) -> bool:
    """The bug's line ends a statement (or a one-line compound header), so a trailing comment is safe."""
    f = t.solution.facts_as(FixFacts)
    rel, line = f.path, f.line
    tree = ast.parse(src.read(rel))
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and node.lineno == line:
            body = getattr(node, "body", None)
            if node.end_lineno == line or (isinstance(body, list) and body and body[0].lineno == line + 1):
                text = src.read(rel).splitlines()[line - 1]
                return not text.rstrip().endswith("\\") and "#" not in text
    return False


def _slug(fn: str | None) -> str:
    return (fn or "module").rsplit(".", 1)[-1].strip("_").replace("_", "-").lower() or "module"


def merge_task(src: CodeSource, bug: Task) -> Task:
    f = bug.solution.facts_as(FixFacts)
    rel, edit = f.path, bug.solution.edits[0]
    buggy, original = bug.start_text(rel), src.read(rel)
    rng = rng_for(bug.id, "merge")
    comment = rng.choice(_COMMENTS)
    bad_line, good_line = edit.old.rstrip("\n"), edit.new.rstrip("\n")
    feature_text = buggy.replace(edit.old, f"{bad_line}  {comment}\n", 1)
    branch = f"feature/{_slug(f.function)}-notes"
    fix_msg = f"Fix {f.function or rel}"
    setup = [
        "\n".join(
            [
                *_git_prologue("Initial import"),
                f"git checkout -q -b {branch}",
                f"cp /tmp/stage/feature/{rel} {rel}",
                "cp /tmp/stage/NOTES.md NOTES.md",
                "git add -A",
                _commit(f"Document {f.function or rel}", 2),
                "git checkout -q main",
                f"cp /tmp/stage/main/{rel} {rel}",
                "git add -A",
                _commit(fix_msg, 3),
            ]
        )
    ]
    files = {
        rel: buggy,
        f"{STAGE}/feature/{rel}": feature_text,
        f"{STAGE}/main/{rel}": original,
        f"{STAGE}/NOTES.md": f"# Notes\n\n`{f.function or rel}` is covered by the test suite.\n",
    }
    resolved = f"{good_line}  {comment}\n"
    block = f"<<<<<<< HEAD\n{good_line}\n=======\n{bad_line}  {comment}\n>>>>>>> {branch}\n"
    tid = task_id(src.name, "devops", f"merge:{bug.meta['mutation']}")
    phr = rng_for(tid, "phrase").choice(
        (
            "Merge the branch `{b}` into `main`. Resolve any conflict so that the tests (`{cmd}`) pass, and commit "
            "the merge.",
            "`{b}` needs to go into `main`. Do the merge, fix whatever conflicts come up (keep main's bug fix), make "
            "sure `{cmd}` passes, and commit.",
            "Please merge `{b}` into main and finish the merge commit. The test suite must be green afterwards.",
        )
    )
    checks = [
        Check("command", "no_conflict_markers", cmd="! git grep -n -E '^(<<<<<<<|>>>>>>>)' -- ."),
        Check(
            "command",
            "merge_committed",
            cmd="test ! -e .git/MERGE_HEAD && test $(git rev-list --parents -n 1 HEAD | wc -w) -eq 3",
        ),
        Check("command", "branch_merged", cmd=f"git merge-base --is-ancestor {branch} HEAD"),
    ]
    return Task(
        id=tid,
        family="devops",
        source=src.name,
        instruction=phr.format(b=branch, cmd=src.test_cmd),
        base=str(src.root),
        files=files,
        verifier=Verifier(test_cmd=src.test_cmd, pin_base=src.pinned_tests(), checks=checks),
        solution=Solution(
            kind="merge",
            edits=[Edit(rel, block, resolved)],
            facts=MergeFacts(path=rel, branch=branch, function=f.function, fix=fix_msg),
        ),
        setup=setup,
        check_cmd=src.test_cmd,
        meta={"devops": "merge", "mutation": bug.meta["mutation"]},
    )


def _history(doc_commits: list[tuple[str, str, str]], day0: int) -> tuple[list[str], dict[str, str]]:
    cmds, files = [], {}
    for i, (path, text, msg) in enumerate(doc_commits):
        files[f"{STAGE}/docs{i}/{path}"] = text
        parent = path.rsplit("/", 1)[0] if "/" in path else ""
        cmds += ([f"mkdir -p {parent}"] if parent else []) + [
            f"cp /tmp/stage/docs{i}/{path} {path}",
            f"git add {path}",
            _commit(msg, day0 + i),
        ]
    return cmds, files


def _bad_subject(f: FixFacts, rng) -> str:
    target = f.function or f.path
    return rng.choice(
        (f"Simplify {target}", f"Tidy up {target}", f"Refactor {target}", f"Small cleanup in {target}")
    )


def revert_task(src: CodeSource, bug: Task) -> Task:
    f = bug.solution.facts_as(FixFacts)
    rel = f.path
    rng = rng_for(bug.id, "revert")
    docs = rng.sample(_DOC_COMMITS, 3)
    subject = _bad_subject(f, rng)
    before, before_files = _history(docs[:1], 2)
    after, after_files = _history(docs[1:], 4)
    setup = [
        "\n".join(
            [
                *_git_prologue("Initial import"),
                *before,
                f"cp /tmp/stage/bad/{rel} {rel}",
                f"git add {rel}",
                _commit(subject, 3),
                *after,
            ]
        )
    ]
    files = {f"{STAGE}/bad/{rel}": bug.start_text(rel), **before_files, **after_files}
    tid = task_id(src.name, "devops", f"revert:{bug.meta['mutation']}")
    phr = rng_for(tid, "phrase").choice(
        (
            "One of the recent commits broke the tests (`{cmd}`). Find it and undo it with `git revert`, keeping the "
            "history (no reset, no rebase).",
            "The test suite fails since a recent commit. Identify the bad commit and revert it (git revert, so the "
            "history stays intact). `{cmd}` must pass afterwards.",
            "Tests are red on main. Revert the commit that broke them using a revert commit; do not rewrite history.",
        )
    )
    checker = _REVERT_CHECK.replace("SUBJECT", repr(subject))
    checks = [Check("command", "reverted", cmd="python .verify/check_revert.py")]
    return Task(
        id=tid,
        family="devops",
        source=src.name,
        instruction=phr.format(cmd=src.test_cmd),
        base=str(src.root),
        files=files,
        verifier=Verifier(
            test_cmd=src.test_cmd,
            pinned={".verify/check_revert.py": checker},
            pin_base=src.pinned_tests(),
            checks=checks,
        ),
        solution=Solution(kind="revert", facts=RevertFacts(path=rel, subject=subject, function=f.function)),
        setup=setup,
        check_cmd=src.test_cmd,
        # The instruction says the tests are red: a mutant they miss would make the task a guess.
        meta={"devops": "revert", "mutation": bug.meta["mutation"], "fails_at_start": src.test_cmd},
    )


_REVERT_CHECK = """import subprocess, sys

def git(*args):
    return subprocess.run(["git", *args], capture_output=True, text=True).stdout

bad = [ln.split(" ", 1)[0] for ln in git("log", "--format=%H %s").splitlines() if ln.split(" ", 1)[1:] == [SUBJECT]]
if not bad:
    sys.exit("the bad commit is no longer in the history (it must be reverted, not removed)")
bodies = git("log", "--format=%B", bad[0] + "..HEAD")
if "This reverts commit " + bad[0] not in bodies:
    sys.exit("no commit after it says 'This reverts commit " + bad[0] + "'")
if git("status", "--porcelain", "--untracked-files=no").strip():
    sys.exit("uncommitted changes to tracked files")
print("reverted", bad[0])
"""

_BISECT_CHECK = """import subprocess, sys

log = subprocess.run(["git", "log", "--all", "--format=%H %s"], capture_output=True, text=True).stdout
want = [ln.split(" ", 1)[0] for ln in log.splitlines() if ln.split(" ", 1)[1:] == [SUBJECT]]
try:
    got = open("BAD_COMMIT").read().strip()
except OSError:
    sys.exit("BAD_COMMIT is missing")
if not want or len(got) < 7 or not want[0].startswith(got):
    sys.exit("BAD_COMMIT holds " + repr(got[:60]) + ", which is not the first bad commit")
print("found", want[0])
"""


def _comment_commits(src: CodeSource, avoid: tuple[str, int], rng, n: int) -> list[tuple[str, str, str]]:
    """Harmless code commits: a comment line above a top-level function far from the bug."""
    out = []
    for rel in src.src_files:
        text = src.read(rel)
        for node in ast.parse(text).body:
            if isinstance(node, ast.FunctionDef) and not (
                rel == avoid[0] and abs(node.lineno - avoid[1]) < 40
            ):
                out.append((rel, node.name, node.lineno))
    rng.shuffle(out)
    return [(rel, name, str(line)) for rel, name, line in out[:n]]


def bisect_task(src: CodeSource, bug: Task) -> Task | None:
    f = bug.solution.facts_as(FixFacts)
    rel = f.path
    rng = rng_for(bug.id, "bisect")
    subject = _bad_subject(f, rng)
    docs = rng.sample(_DOC_COMMITS, 4)
    code = _comment_commits(src, (rel, f.line), rng, 2)
    steps: list[tuple[str, ...]] = [("doc", *d) for d in docs] + [("code", *c) for c in code]
    rng.shuffle(steps)
    bad_at = rng.randrange(1, len(steps))
    steps.insert(bad_at, ("bad",))
    cmds, files, day = [], {}, 2
    current = {r: src.read(r) for r in src.src_files}
    for i, step in enumerate(steps):
        if step[0] == "bad":
            current[rel] = _apply_bug(current[rel], bug)
            if current[rel] is None:
                return None
            files[f"{STAGE}/s{i}/{rel}"] = current[rel]
            cmds += [f"cp /tmp/stage/s{i}/{rel} {rel}", f"git add {rel}", _commit(subject, day)]
        elif step[0] == "doc":
            _, path, text, msg = step
            parent = path.rsplit("/", 1)[0] if "/" in path else ""
            files[f"{STAGE}/s{i}/{path}"] = text
            cmds += ([f"mkdir -p {parent}"] if parent else []) + [
                f"cp /tmp/stage/s{i}/{path} {path}",
                f"git add {path}",
                _commit(msg, day),
            ]
        else:
            _, crel, name, line = step
            lines = current[crel].splitlines(keepends=True)
            idx = next(
                k for k, ln in enumerate(lines) if ln.startswith((f"def {name}(", f"async def {name}("))
            )
            lines.insert(idx, f"# {name}: see docs/design.md\n")
            current[crel] = "".join(lines)
            files[f"{STAGE}/s{i}/{crel}"] = current[crel]
            cmds += [f"cp /tmp/stage/s{i}/{crel} {crel}", f"git add {crel}", _commit(f"Comment {name}", day)]
        day += 1
    setup = [
        "\n".join(
            [
                *_git_prologue("Release 1.0"),
            ]
            + ["git tag v1.0"]
            + cmds
        )
    ]
    tid = task_id(src.name, "devops", f"bisect:{bug.meta['mutation']}")
    phr = rng_for(tid, "phrase").choice(
        (
            "The tests (`{cmd}`) passed at tag `v1.0` and fail at HEAD. Use `git bisect` to find the first bad "
            "commit and write its full hash into a file named `BAD_COMMIT`.",
            "Something between `v1.0` and HEAD broke `{cmd}`. Find the commit that introduced the failure (git "
            "bisect is the tool for this) and save its full hash in `BAD_COMMIT`.",
            "Find the first commit after v1.0 that makes the test suite fail, using git bisect. Put its full hash "
            "in BAD_COMMIT (one line). Leave the repository on its original branch.",
        )
    )
    checker = _BISECT_CHECK.replace("SUBJECT", repr(subject))
    return Task(
        id=tid,
        family="devops",
        source=src.name,
        instruction=phr.format(cmd=src.test_cmd),
        base=str(src.root),
        files=files,
        verifier=Verifier(
            pinned={".verify/check_bisect.py": checker},
            checks=[Check("command", "first_bad_commit", cmd="python .verify/check_bisect.py")],
        ),
        solution=Solution(
            kind="bisect", facts=BisectFacts(path=rel, subject=subject, commits=len(steps) + 1)
        ),
        setup=setup,
        check_cmd=src.test_cmd,
        # "fail at HEAD" must be true: a mutant the tests miss would make this task unanswerable.
        meta={"devops": "bisect", "mutation": bug.meta["mutation"], "fails_at_start": src.test_cmd},
    )


def _apply_bug(text: str, bug: Task) -> str | None:
    """The bug's edit run backwards on ``text``; None when the fixed text is not unique there."""
    e = bug.solution.edits[0]
    return text.replace(e.new, e.old, 1) if text.count(e.new) == 1 else None


# ----------------------------------------------------------------------------- Makefile targets

_MAKEFILE = """.PHONY: help

help:
\t@echo "targets: help"
"""


def make_tasks(src: CodeSource) -> list[Task]:
    pkg_dir = src.src_files[0].rsplit("/", 1)[0] if "/" in src.src_files[0] else "."
    files_list = " ".join(src.src_files)
    targets = {
        "test": (
            f"\t{src.test_cmd}\n",
            "runs the test suite (`{cmd}`)",
            [Check("command", "make_test", cmd="make test")],
        ),
        "clean": (
            "\trm -rf build dist\n\tfind . -name __pycache__ -type d -prune -exec rm -rf {} +\n",
            "removes the `build/` and `dist/` folders and every `__pycache__` folder",
            [
                Check(
                    "command",
                    "make_clean",
                    cmd="mkdir -p build/x dist __pycache__ sub/__pycache__ && make clean && "
                    'test ! -e build && test ! -e dist && test -z "$(find . -name __pycache__)"',
                )
            ],
        ),
        "dist": (
            f"\tmkdir -p dist\n\ttar czf dist/{src.short}.tar.gz {files_list}\n",
            f"creates `dist/{src.short}.tar.gz` holding the source files ({files_list})",
            [
                Check(
                    "command",
                    "make_dist",
                    cmd=f"make dist && tar tzf dist/{src.short}.tar.gz",
                    contains=list(src.src_files),
                )
            ],
        ),
        "check": (
            f"\tpython -m py_compile {files_list}\n\t@echo syntax ok\n",
            f"byte-compiles the source files ({files_list}) with `python -m py_compile` and then prints `syntax ok`",
            [Check("command", "make_check", cmd="make check", contains=["syntax ok"])],
        ),
    }
    out = []
    for target, (recipe, what, checks) in targets.items():
        tid = task_id(src.name, "devops", f"make:{target}")
        phr = rng_for(tid, "phrase").choice(
            (
                "Add a `{t}` target to the Makefile that {w}. `make {t}` must work.",
                "The Makefile needs a `{t}` target: one that {w}. Add it and check it with `make {t}`.",
                "Extend the Makefile with a `{t}` target which {w}.",
            )
        )
        new_text = (
            _MAKEFILE.replace(".PHONY: help", f".PHONY: help {target}").replace(
                '@echo "targets: help"', f'@echo "targets: help {target}"'
            )
            + f"\n{target}:\n{recipe}"
        )
        out.append(
            Task(
                id=tid,
                family="devops",
                source=src.name,
                instruction=phr.format(t=target, w=what.format(cmd=src.test_cmd)),
                base=str(src.root),
                files={"Makefile": _MAKEFILE},
                verifier=Verifier(pin_base=src.pinned_tests(), checks=checks),
                solution=Solution(
                    kind="patch",
                    edits=[Edit("Makefile", "", new_text)],
                    facts=PatchFacts(
                        file="Makefile",
                        diagnosis=f"The Makefile only has `help`. I'll add a `{target}` target whose recipe {what.format(cmd=src.test_cmd)} (recipe lines start with a tab), and list it in .PHONY.",
                        summary=f"Added a `{target}` target to the Makefile; `make {target}` works.",
                        pkg=pkg_dir,
                    ),
                ),
                check_cmd=f"make {target}",
                meta={"devops": "make", "target": target},
            )
        )
    return out


def devops_source_tasks(src: CodeSource) -> list[Task]:
    bugs = _single_line_mutants(src)
    rng = rng_for(src.name, "devops-pick")
    rng.shuffle(bugs)
    out: list[Task] = []
    for builder, offset in ((merge_task, 0), (revert_task, 1), (bisect_task, 2)):
        picked = bugs[offset::3][:PER_SOURCE]
        out += [t for t in (builder(src, b) for b in picked) if t is not None]
    return out + make_tasks(src)


def builtin_devops_tasks() -> list[Task]:
    from agentic_pipeline.tasks.devops_templates import config_tasks, pin_tasks, shell_tasks

    return shell_tasks() + config_tasks() + pin_tasks()
