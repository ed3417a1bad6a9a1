"""The facts a builder and its oracle plan share: one typed record per solution kind, written to task
files as the same JSON object the dict of string keys was, and read back from files written before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentic_pipeline.tasks.base import FAMILIES, Solution, Task
from agentic_pipeline.tasks.catalog import candidates, load_task_file, write_task_file
from agentic_pipeline.tasks.facts import FACTS, FixFacts, PatchFacts, RenameFacts
from agentic_pipeline.tasks.sources import all_sources

pytestmark = pytest.mark.usefixtures("task_cache")

# Between them these sources give every kind: rename, dataclass, constants and the guard extraction
# (ledger), a comprehension (textkit), f-strings and an enumerate loop (difflib).
REFACTORING_SOURCES = ("project:ledger", "project:textkit", "stdlib:difflib")


# The keys, in order, of each kind's facts as the builders wrote them when the facts were a dict of
# string keys (every task file on disk has them so): a typed record must write exactly these.
WRITTEN_BEFORE = {
    "fix": ["path", "line", "function", "bug"],
    "implement": ["path", "line", "function"],
    "implement_many": ["path", "functions", "lines", "line", "function"],
    "rename": ["old", "new", "path"],
    "extract_constant": ["path", "function", "name", "literal", "line", "insert_after"],
    "dataclass": ["path", "cls", "line", "end_line", "fields", "eq"],
    "extract": ["path", "f", "g", "helper", "n", "f_lines", "g_lines", "first"],
    "comprehension": ["path", "function", "name", "line", "end_line", "cond", "choice"],
    "enumerate": ["path", "function", "seq", "index", "item", "line", "end_line", "reads", "uses_index"],
    "fstring": ["path", "function", "lines", "snippets", "fstrings", "styles"],
    "merge": ["path", "branch", "function", "fix"],
    "revert": ["path", "subject", "function"],
    "bisect": ["path", "subject", "commits"],
    "patch": ["file", "diagnosis", "summary"],  # and "pkg" last, in makefile targets only
    "pins": ["pins"],
}


def one_task_per_kind() -> dict[str, Task]:
    by_name = {s.name: s for s in all_sources()}
    out: dict[str, Task] = {}
    for family in FAMILIES:
        names = REFACTORING_SOURCES if family == "refactoring" else REFACTORING_SOURCES[:1]
        for t in candidates(family, [by_name[n] for n in names]):
            out.setdefault(t.solution.kind, t)
    return out


def test_every_kind_the_builders_make_has_its_typed_facts_and_they_round_trip_through_a_task_file(
    tmp_path: Path,
) -> None:
    tasks = one_task_per_kind()
    assert set(tasks) == set(FACTS), sorted(set(FACTS) ^ set(tasks))  # the builders really make every kind
    for kind, task in tasks.items():
        assert type(task.solution.facts) is FACTS[kind], kind
    path = tmp_path / "tasks.jsonl"
    write_task_file(path, tasks.values())
    back = load_task_file(path)
    assert back == list(tasks.values())
    for line, task in zip(path.read_text().splitlines(), back, strict=True):
        written = json.loads(line)["solution"]["facts"]
        kind = task.solution.kind
        assert list(written) in (WRITTEN_BEFORE[kind], [*WRITTEN_BEFORE[kind], "pkg"]), kind
        assert written == task.solution.facts.to_dict()
    assert path.read_text() == "".join(
        json.dumps(t.to_dict()) + "\n" for t in back
    )  # written again: the same


def _record(kind: str, facts: dict) -> dict:
    """A task record as the builders wrote it before the facts were typed (a dict of string keys)."""
    return {
        "id": f"{kind}-x",
        "family": "debugging",
        "source": "project:x",
        "instruction": "Do it.",
        "base": None,
        "files": {"m.py": "x = 1\n"},
        "verifier": {"test_cmd": "true", "pinned": {}, "pin_base": [], "checks": []},
        "solution": {
            "kind": kind,
            "edits": [{"path": "m.py", "old": "x = 1\n", "new": "x = 2\n"}],
            "commands": [],
            "facts": facts,
        },
        "setup": [],
        "check_cmd": "true",
        "meta": {},
        "patches": [],
    }


def test_a_task_file_written_with_a_dict_of_keys_reads_typed_and_writes_back_byte_for_byte(
    tmp_path: Path,
) -> None:
    old = [
        _record("fix", {"path": "m.py", "line": 1, "function": None, "bug": "x = 1 -> 2"}),
        _record("rename", {"old": "get_x", "new": "fetch_x", "path": "m.py"}),
        _record("patch", {"file": "run.sh", "diagnosis": "Quote it.", "summary": "Quoted."}),
        _record("patch", {"file": "Makefile", "diagnosis": "Add it.", "summary": "Added.", "pkg": "pkg"}),
        _record("edits", {}),  # a solution with no facts (converted task specs, teachers' own tasks)
    ]
    text = "".join(json.dumps(r) + "\n" for r in old)
    path = tmp_path / "old.jsonl"
    path.write_text(text)
    tasks = load_task_file(path)
    assert tasks[0].solution.facts == FixFacts(path="m.py", line=1, function=None, bug="x = 1 -> 2")
    assert tasks[1].solution.facts_as(RenameFacts).new == "fetch_x"
    assert tasks[2].solution.facts == PatchFacts(file="run.sh", diagnosis="Quote it.", summary="Quoted.")
    assert tasks[3].solution.facts_as(PatchFacts).pkg == "pkg"
    assert tasks[4].solution.facts is None
    write_task_file(tmp_path / "again.jsonl", tasks)
    assert (tmp_path / "again.jsonl").read_text() == text


@pytest.mark.parametrize(
    ("facts", "said"),
    [
        ({"path": "m.py", "line": 1, "function": None}, "missing bug"),
        ({"path": "m.py", "line": 1, "function": None, "bug": "b", "col": 3}, "unknown col"),
    ],
)
def test_facts_with_keys_missing_or_unknown_are_refused_naming_the_file_line_and_key(
    tmp_path: Path, facts: dict, said: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(_record("implement", {})) + "\n" + json.dumps(_record("fix", facts)) + "\n")
    with pytest.raises(ValueError, match=rf"bad.jsonl:2: .*'fix' solution: {said}"):
        load_task_file(path)


def test_a_plan_handed_another_kinds_facts_fails_naming_both() -> None:
    sol = Solution(kind="rename", facts=FixFacts(path="m.py", line=1, function=None, bug="b"))
    with pytest.raises(TypeError, match="'rename' solution holds FixFacts, not RenameFacts"):
        sol.facts_as(RenameFacts)
