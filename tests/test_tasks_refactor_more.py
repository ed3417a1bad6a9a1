"""The loop and formatting refactorings (comprehension, enumerate, f-string): pattern detection on small
strings, and end to end on real sources: valid tasks, the oracle solves them through the real tools, the
predicate tells the starting code from the solution, and an agent that does nothing or breaks the code fails."""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path

import pytest

from agentic_pipeline.agent import RunConfig, run_episode
from agentic_pipeline.policies.base import PolicyResponse
from agentic_pipeline.policies.oracle import OraclePolicy
from agentic_pipeline.records import parse_record
from agentic_pipeline.tasks.base import Task
from agentic_pipeline.tasks.facts import FstringFacts
from agentic_pipeline.tasks.predicates import PREDICATES
from agentic_pipeline.tasks.refactoring import (
    comprehension_tasks,
    enumerate_tasks,
    find_comprehension_loops,
    find_format_calls,
    find_index_loops,
    fstring_tasks,
)
from agentic_pipeline.tasks.sources import CodeSource, project_sources, stdlib_sources
from agentic_pipeline.tasks.validity import task_is_valid

pytestmark = pytest.mark.usefixtures("task_cache")


# ----------------------------------------------------------------------------- detection on small strings


def _comp(body: str) -> list[dict]:
    return find_comprehension_loops("def f(xs):\n" + body)


def test_append_loops_become_comprehensions() -> None:
    (plain,) = _comp("    out = []\n    for x in xs:\n        out.append(x * 2)\n    return out\n")
    assert plain["new"] == "    out = [x * 2 for x in xs]\n" and (plain["line"], plain["end_line"]) == (2, 4)
    (kept,) = _comp(
        "    out = []\n    for x in xs:\n        if x > 0:\n            out.append(-x)\n    return out\n"
    )
    assert kept["new"] == "    out = [-x for x in xs if x > 0]\n"
    (choice,) = _comp(
        "    out = []\n    for x in xs:\n        if x:\n            out.append(1)\n        else:\n"
        "            out.append(2)\n    return out\n"
    )
    assert choice["new"] == "    out = [1 if x else 2 for x in xs]\n"
    (pairs,) = _comp("    out = []\n    for a, b in xs:\n        out.append((b, a))\n    return out\n")
    assert pairs["new"] == "    out = [(b, a) for a, b in xs]\n"


@pytest.mark.parametrize(
    "body",
    [
        "    out = []\n    for x in xs:\n        out.append(x)\n    return out, x\n",  # target used after
        "    out = []\n    for x in xs:\n        out.append(len(out))\n    return out\n",  # list read in loop
        "    out = []\n    for x in xs:\n        out.append(x)\n    else:\n        pass\n    return out\n",
        "    out = []\n    for x in xs:\n        y = x\n        out.append(y)\n    return out\n",  # two statements
        "    out = []\n    for x in xs:\n        out.append(x)\n    out.append(0)\n    return out\n",
        "    out = []\n    for x in xs:\n        out.append((y := x))\n    return out\n",  # walrus
        "    out = []\n    for x in xs:\n        # keep\n        out.append(x)\n    return out\n",  # a comment
        "    out = []\n    for x in xs:\n        if x:\n            out.append(x)\n        elif x is None:\n"
        "            out.append(0)\n    return out\n",
        "    out = [1]\n    for x in xs:\n        out.append(x)\n    return out\n",  # not empty
    ],
)
def test_loops_that_are_not_plain_appends_are_left_alone(body: str) -> None:
    assert _comp(body) == []


def test_index_loops_become_enumerate() -> None:
    text = "def f(names):\n    for i in range(len(names)):\n        print(i, names[i], names[i].upper())\n"
    (found,) = find_index_loops(text)
    assert found["new"] == "    for i, name in enumerate(names):\n        print(i, name, name.upper())\n"
    assert found["uses_index"] and found["reads"] == 2


@pytest.mark.parametrize(
    "body",
    [
        "    for i in range(len(xs)):\n        xs[i] = xs[i] + 1\n",  # written
        "    for i in range(len(xs)):\n        xs.append(xs[i])\n",  # the list changes under the loop
        "    for i in range(len(xs)):\n        i += 1\n        print(xs[i])\n",  # index rebound
        "    for i in range(len(xs)):\n        print(i)\n",  # no xs[i] to replace
        "    for i in range(1, len(xs)):\n        print(xs[i])\n",  # not range(len(...))
        "    name, names = 0, xs\n    for i in range(len(names)):\n        print(names[i], name)\n",  # taken
    ],
)
def test_index_loops_that_are_not_safe_are_left_alone(body: str) -> None:
    assert find_index_loops("def f(xs):\n" + body) == []


def _fstrings(expr: str) -> list[str]:
    return [f["fstring"] for f in find_format_calls(f"def f(a, b, o):\n    return {expr}\n")]


def test_percent_and_format_become_fstrings() -> None:
    assert _fstrings('"%s and %r, 100%%" % (a, b)') == ['f"{a} and {b!r}, 100%"']
    assert _fstrings("'{} <{!r}> {{x}}'.format(a, o.name)") == ["f'{a} <{o.name!r}> {{x}}'"]
    assert _fstrings("'{1}:{0:>4}'.format(a, b)") == ["f'{b}:{a:>4}'"]
    assert _fstrings("'{k.real} {k}'.format(k=a)") == ["f'{a.real} {a}'"]
    assert _fstrings('"{%s}" % (a,)') == ['f"{{{a}}}"']


def test_a_formatting_expression_over_two_lines_is_joined_and_nested_ones_wait() -> None:
    text = 'def f(a, b):\n    return ("%s: %s" %\n            (a, b))\n'
    (found,) = find_format_calls(text)
    assert (found["line"], found["end_line"], found["fstring"]) == (2, 3, 'f"{a}: {b}"')
    nested = find_format_calls("def f(a):\n    return '<%s>' % (\"{}\".format(a),)\n")
    assert [f["snippet"] for f in nested] == ["'<%s>' % (\"{}\".format(a),)"]  # the outer one only


@pytest.mark.parametrize(
    "expr",
    [
        '"%d items" % (a,)',  # %d truncates floats, an f-string would not
        '"%s" % a',  # a might be a tuple at run time
        '"%(x)s" % {"x": a}',
        '"%-10s|" % (a,)',
        "'{}'.format(*a)",
        "'{}'.format(a, b[0])",  # b[0] unused: it would no longer be evaluated (and may raise)
        "'{0}{0}'.format(g(a))",  # a call evaluated twice
        "'{:{w}}'.format(a, w=b)",  # a nested field
        "'{}'.format('x')",
        "'%s' % ('x' + a,)",  # the argument holds the literal's quote
    ],
)
def test_formatting_an_fstring_cannot_reproduce_is_left_alone(expr: str) -> None:
    assert _fstrings(expr) == []


# ----------------------------------------------------------------------------- end to end


def _source(kind: str) -> tuple[CodeSource, list[Task]]:
    """A shipped project with an instance of ``kind`` if there is one, else a stdlib module that has one."""
    build = {"comprehension": comprehension_tasks, "enumerate": enumerate_tasks, "fstring": fstring_tasks}[
        kind
    ]
    projects = {s.short: s for s in project_sources()}
    fallback = {"comprehension": "textkit", "enumerate": "difflib", "fstring": "fractions"}[kind]
    src = projects.get(fallback) or stdlib_sources((fallback,))[0]
    tasks = build(src)
    if kind == "fstring":  # one whose text the tests compare (error messages often go unchecked)
        tasks = [t for t in tasks if t.solution.facts.function == "Fraction.__str__"]
    return src, tasks


def _first_valid(tasks: list[Task]) -> Task:
    for task in tasks:
        if asyncio.run(task_is_valid(task)):
            return task
    raise AssertionError("no valid task")


def _predicate(task: Task, root: Path) -> tuple[bool, str]:
    check = task.verifier.checks[0]
    return PREDICATES[check.name.split(":", 1)[0]](root, **check.args)


class Scripted:
    """An agent that applies fixed (old, new) edits to one file, then claims success."""

    name = "scripted"

    def __init__(self, path: str, edits: list[tuple[str, str]]) -> None:
        self.path, self.edits = path, edits

    async def act(self, messages, tools, task):
        step = sum(1 for m in messages if m["role"] == "assistant")
        if step < len(self.edits):
            old, new = self.edits[step]
            fn = {"name": "edit_file", "arguments": {"path": self.path, "old_str": old, "new_str": new}}
        else:
            fn = {"name": "finish", "arguments": {"summary": "refactored"}}
        call = {"id": f"c{step}", "type": "function", "function": fn}
        return PolicyResponse(message={"role": "assistant", "content": "...", "tool_calls": [call]})


@pytest.mark.parametrize("kind", ["comprehension", "enumerate", "fstring"])
def test_new_refactorings_are_valid_solved_and_checked(kind: str, tmp_path: Path) -> None:
    src, tasks = _source(kind)
    task = _first_valid(tasks)
    assert task.meta["refactor"] == kind and task.verifier.checks[0].kind == "ast"
    path = task.solution.facts.path

    # The predicate rejects the starting code and accepts the solution.
    shutil.copytree(src.root, tmp_path / "ws")
    assert not _predicate(task, tmp_path / "ws")[0]
    text = (tmp_path / "ws" / path).read_text()
    for edit in task.solution.edits:
        assert text.count(edit.old) == 1
        text = text.replace(edit.old, edit.new)
    (tmp_path / "ws" / path).write_text(text)
    assert _predicate(task, tmp_path / "ws") == (True, "")

    # The oracle solves it through the real tools, and its thoughts quote the code it read.
    record = asyncio.run(run_episode(task, OraclePolicy(seed=0), RunConfig(command_timeout_s=60)))
    parse_record(record.model_dump(mode="json", exclude_none=True))
    assert record.outcome.verified and record.outcome.exit_status == "submitted", record.outcome.detail
    assert "ok" in record.outcome.detail and record.messages[1].content == task.instruction
    tools = [c.function.name for m in record.messages if m.tool_calls for c in m.tool_calls]
    assert tools[:3] == ["bash", "read_file", "edit_file"] and tools[-1] == "finish"
    thought = record.messages[6].content  # the one that edits
    facts = task.solution.facts
    assert str(facts.lines[0] if isinstance(facts, FstringFacts) else facts.line) in thought

    # Doing nothing fails (the shape is wrong); so does a change of shape that breaks behaviour.
    idle = asyncio.run(run_episode(task, Scripted(path, []), RunConfig()))
    assert not idle.outcome.verified
    edit = task.solution.edits[0]
    broken = _broken(kind, edit.new, task)
    bad = asyncio.run(run_episode(task, Scripted(path, [(edit.old, broken)]), RunConfig()))
    assert bad.outcome.exit_status == "submitted" and not bad.outcome.verified
    assert "tests failed" in bad.outcome.detail


def _broken(kind: str, new: str, task: Task) -> str:
    """The solution's shape with the wrong behaviour: the predicate alone would accept it, the tests must not."""
    if kind == "comprehension":
        end = new.rindex("]")
        return new[:end] + " if False" + new[end:]  # still a comprehension, now always empty
    if kind == "enumerate":
        seq = task.solution.facts.seq
        return new.replace(f"enumerate({seq})", f"enumerate({seq}, 1)")  # indexes shifted by one
    return re.sub(r"""\bf(['"])""", r"f\1x", new, count=1)  # the f-string renders one character more
