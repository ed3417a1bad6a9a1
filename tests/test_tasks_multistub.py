"""Coding tasks with several functions stubbed in one file: built from the single stubs, valid in the
real sandbox, solved end to end by the oracle through the real tools, and their edits undo exactly."""

from __future__ import annotations

import asyncio
import re
from collections import Counter

import pytest

from agentic_pipeline.agent import RunConfig, run_episode
from agentic_pipeline.curate.schema import check_schema
from agentic_pipeline.curate.semantics import RULES
from agentic_pipeline.policies.oracle import OraclePolicy
from agentic_pipeline.tasks import code_families as cf
from agentic_pipeline.tasks.base import Task, apply_edit
from agentic_pipeline.tasks.mine import _BUILDERS
from agentic_pipeline.tasks.mutate import stubs
from agentic_pipeline.tasks.sources import CodeSource, project_sources, stdlib_sources
from agentic_pipeline.tasks.validity import source_passes, task_is_valid

pytestmark = pytest.mark.usefixtures("task_cache")


@pytest.fixture(scope="module")
def multi(project: CodeSource) -> list[Task]:
    return cf.multi_coding_tasks(project)


def test_patches_apply_in_order_and_the_solution_undoes_them_exactly(multi: list[Task], project) -> None:
    assert {t.meta["functions"] for t in multi} == {2, 3}
    for task in multi:
        rel = task.solution.facts.path
        original = project.read(rel)
        text = original
        for patch in task.patches:  # each old text is unique in the file as it is at that point
            text = apply_edit(text, patch)
        assert text == task.start_text(rel)
        shown = text.splitlines()
        for name, line in zip(task.solution.facts.functions, task.solution.facts.lines, strict=True):
            assert re.match(rf"\s*(async\s+)?def {re.escape(name.rpartition('.')[2])}\(", shown[line - 1])
        n = task.meta["functions"]
        assert text.count("raise NotImplementedError") == original.count("raise NotImplementedError") + n
        assert len(task.patches) == len(task.solution.edits) == n
        for fix in task.solution.edits:
            text = apply_edit(text, fix)
        assert text == original


def test_ids_are_deterministic_and_distinct_from_single_stub_ids(multi: list[Task], project) -> None:
    again = cf.multi_coding_tasks(project)
    assert [t.id for t in again] == [t.id for t in multi]
    assert [t.instruction for t in again] == [t.instruction for t in multi]
    singles = {t.id for t in cf.coding_tasks(project)}
    ids = [t.id for t in multi]
    assert len(set(ids)) == len(ids) and not singles & set(ids)
    assert all(t.family == "coding" and t.solution.kind == "implement_many" for t in multi)
    assert {t.id for t in _BUILDERS["coding"](project)} == singles | set(ids)  # mining builds both


def test_every_instruction_names_each_function_and_the_test_command(multi: list[Task], project) -> None:
    for task in multi:
        named = re.findall(r"`([^`]+)`", task.instruction)
        assert set(task.solution.facts.functions) <= set(named), task.instruction
        assert project.test_cmd in named
    assert len({re.sub(r"`[^`]*`|\S+\.py", "", t.instruction) for t in multi}) >= 4  # varied phrasings


def test_caps_hold_per_file_and_related_functions_come_first() -> None:
    sources = project_sources() + stdlib_sources(("fractions",))
    for src in sources:
        stdlib = src.kind == "stdlib"
        counts = Counter((t.solution.facts.path, t.meta["functions"]) for t in cf.multi_coding_tasks(src))
        for (_, size), n in counts.items():
            cap = {
                2: (cf.PAIRS_PER_FILE, cf.STDLIB_PAIRS_PER_FILE),
                3: (cf.TRIPLES_PER_FILE, cf.STDLIB_TRIPLES_PER_FILE),
            }
            assert n <= cap[size][stdlib], (src.name, size, n)
    fractions = sources[-1]
    found = stubs(fractions.read("fractions.py"), "fractions.py")
    pairs = cf._groups(found, 2, cf.STDLIB_PAIRS_PER_FILE, salt="x")
    assert len(pairs) == cf.STDLIB_PAIRS_PER_FILE < len(found) * (len(found) - 1) // 2  # the cap bites here
    related = [cf._related(a, b) for a, b in pairs]
    assert related == sorted(related, reverse=True)  # related pairs first, then the rest
    assert sum(related) >= 1


def test_a_multi_stub_task_is_valid_and_the_oracle_solves_it(project: CodeSource, multi: list[Task]) -> None:
    assert asyncio.run(source_passes(project)), f"{project.name}: its own tests fail"
    task = next(t for t in multi if t.meta["functions"] == 3 and asyncio.run(task_is_valid(t)))
    record = asyncio.run(run_episode(task, OraclePolicy(seed=0), RunConfig(command_timeout_s=60)))
    obj = record.model_dump(mode="json", exclude_none=True)
    parsed, reason = check_schema(obj, "trajectory")
    assert reason is None, reason
    assert [(name, res) for name, rule in RULES if (res := rule(parsed)) is not True] == []
    assert record.outcome.verified and record.outcome.exit_status == "submitted", record.outcome.detail
    assert record.messages[1].content == task.instruction
    # Each read_file showed the def of the function it names and ended on that stub's raise line,
    # though earlier edits had moved the lines.
    calls = {c.id: c for m in record.messages if m.tool_calls for c in m.tool_calls}
    reads = [
        m.content
        for m in record.messages
        if m.role == "tool" and calls[m.tool_call_id].function.name == "read_file"
    ]
    names = task.solution.facts.functions
    assert len(reads) == len(names)
    for shown, name in zip(reads, names, strict=True):
        text = [ln.split("\t", 1)[1] for ln in shown.splitlines() if "\t" in ln]
        assert re.match(rf"\s*(async\s+)?def {re.escape(name.rpartition('.')[2])}\(", text[0]), shown
        assert [ln.strip() for ln in text].count("raise NotImplementedError") == 1, shown
        assert "raise NotImplementedError" in [ln.strip() for ln in text[-2:]], shown
    edits = [c for c in calls.values() if c.function.name == "edit_file"]
    assert len(edits) == len(names)
    thoughts = " ".join(m.content or "" for m in record.messages if m.role == "assistant")
    first_failure = re.findall(r"`(test_\w+)`", record.messages[4].content)
    assert first_failure and all(n in record.messages[3].content for n in first_failure)
    assert all(f"`{n}`" in thoughts for n in names)
