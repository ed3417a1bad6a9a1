"""Mutation operators, stubs, minimal edits, task serialization and the AST predicates (no sandbox)."""

from __future__ import annotations

import ast
from pathlib import Path

from agentic_pipeline.tasks.base import Check, Edit, Solution, Task, Verifier, task_id
from agentic_pipeline.tasks.facts import FixFacts
from agentic_pipeline.tasks.mutate import OPERATORS, minimal_edit, mutants, sample, stubs
from agentic_pipeline.tasks.predicates import constant_extracted, is_dataclass, renamed

SOURCE = '''"""A module with one of everything the operators look for."""


def clamp(value, low, high):
    """Clamp value into [low, high]."""
    if value < low:
        value = low
    if value > high and not low > high:
        return high
    return value


def window(items, size):
    total = 0
    out = []
    for i in range(len(items)):
        total += items[i] * 2
        out.append(items[i:size])
        total = total - 1
    flag = True
    return out, total, flag, divmod(size, 3), 0.5


if __name__ == "__main__":
    print(clamp(1, 2, 3))
'''


def test_every_operator_fires_and_each_mutant_is_one_small_parseable_edit() -> None:
    found = mutants(SOURCE, "m.py")
    assert {m.operator for m in found} == set(OPERATORS)
    for m in found:
        tree = ast.parse(m.mutated)
        assert m.mutated != SOURCE and tree is not None
        old, new = minimal_edit(m.mutated, SOURCE)
        assert m.mutated.count(old) == 1
        assert m.mutated.replace(old, new, 1) == SOURCE
        assert len(old.splitlines()) <= 4, (m.operator, old)
    # Code under the __main__ guard is never mutated: tests don't run it.
    assert all(m.line < SOURCE.splitlines().index('if __name__ == "__main__":') + 1 for m in found)


def test_specific_rewrites_are_the_classic_bugs() -> None:
    by_desc = {(m.operator, m.description): m for m in mutants(SOURCE, "m.py")}
    assert ("compare_swap", "`<` replaced by `<=`") in by_desc
    assert "    if value <= low:\n" in by_desc[("compare_swap", "`<` replaced by `<=`")].mutated
    swapped = next(m for (op, _), m in by_desc.items() if op == "swap_args")
    assert "divmod(3, size)" in swapped.mutated
    dropped = next(m for (op, d), m in by_desc.items() if op == "drop_statement" and "append" in d)
    assert "out.append" not in dropped.mutated


def test_sample_is_deterministic_spread_and_bounded() -> None:
    found = mutants(SOURCE, "m.py", parse_check=False)
    a, b = sample(found, 8, salt="x"), sample(found, 8, salt="x")
    assert [m.key for m in a] == [m.key for m in b] and len(a) == 8
    assert len({m.operator for m in a}) == 8  # round-robin over operators first


def test_stub_keeps_signature_and_docstring() -> None:
    (stub,) = [s for s in stubs(SOURCE, "m.py") if s.function == "clamp"]
    assert '"""Clamp value into [low, high]."""\n    raise NotImplementedError\n' in stub.stubbed
    assert "def clamp(value, low, high):" in stub.stubbed and "return high" not in stub.stubbed
    old, new = minimal_edit(stub.stubbed, SOURCE)
    assert stub.stubbed.replace(old, new, 1) == SOURCE


def test_task_round_trips_and_ids_are_deterministic(tmp_path: Path) -> None:
    task = Task(
        id=task_id("project:x", "debugging", "m.py:3:op:abc"),
        family="debugging",
        source="project:x",
        instruction="Fix it.",
        base=None,
        files={"pkg/m.py": "x = 1\n"},
        verifier=Verifier(test_cmd="true", pinned={"t.py": "ok"}, checks=[Check("command", "c", cmd="true")]),
        solution=Solution(
            kind="fix",
            edits=[Edit("pkg/m.py", "x = 1\n", "x = 2\n")],
            facts=FixFacts(path="pkg/m.py", line=1, function=None, bug="x = 1 instead of x = 2"),
        ),
    )
    assert task.id == task_id("project:x", "debugging", "m.py:3:op:abc")
    assert task.id != task_id("project:x", "debugging", "m.py:3:op:abc", seed=1)
    back = Task.from_dict(task.to_dict())
    assert back == task and back.content_hash() == task.content_hash()
    assert (task.materialize(tmp_path / "ws") / "pkg" / "m.py").read_text() == "x = 1\n"


def test_predicates_accept_the_refactoring_and_reject_the_original(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("def old_name():\n    return 86400 * 2\n")
    (tmp_path / "b.py").write_text("from a import old_name\n\nprint(old_name())\n")
    assert not renamed(tmp_path, "old_name", "new_name")[0]
    assert not constant_extracted(tmp_path, "a.py", "old_name", "DAY", 86400)[0]
    (tmp_path / "a.py").write_text("DAY = 86400\n\n\ndef new_name():\n    return DAY * 2\n")
    (tmp_path / "b.py").write_text("from a import new_name\n\nprint(new_name())\n")
    assert renamed(tmp_path, "old_name", "new_name") == (True, "")
    assert constant_extracted(tmp_path, "a.py", "new_name", "DAY", 86400) == (True, "")
    (tmp_path / "c.py").write_text("class P:\n    def __init__(self, x: int) -> None:\n        self.x = x\n")
    ok, why = is_dataclass(tmp_path, "c.py", "P")
    assert not ok and "not decorated" in why
    (tmp_path / "c.py").write_text(
        "from dataclasses import dataclass\n\n\n@dataclass(eq=False)\nclass P:\n    x: int\n"
    )
    assert is_dataclass(tmp_path, "c.py", "P") == (True, "")
