"""The oracle reads real outputs (parsed from real pytest / unittest / git runs in the sandbox), varies
its wording by seed, and is deterministic and stateless for a given conversation."""

from __future__ import annotations

import asyncio
from pathlib import Path

from agentic_pipeline.policies.observe import find_hash, parse_tests, shown_line
from agentic_pipeline.policies.oracle import OraclePolicy
from agentic_pipeline.sandbox import Sandbox
from agentic_pipeline.tasks.devops_templates import shell_tasks
from agentic_pipeline.tools import execute_tool


def workspace(tmp_path: Path, files: dict[str, str]) -> Sandbox:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return Sandbox(tmp_path)


def test_parse_real_pytest_failure(tmp_path: Path) -> None:
    sb = workspace(
        tmp_path,
        {
            "calc.py": "def add(a, b):\n    return a - b\n",
            "test_calc.py": "from calc import add\n\n\ndef test_add():\n    assert add(2, 2) == 4\n\n\ndef test_ok():\n    assert True\n",
        },
    )
    out = execute_tool(sb, "bash", {"command": "python -m pytest -q -p no:cacheprovider"}).content
    rep = parse_tests(out)
    assert rep.exit_code == 1 and not rep.passed
    assert rep.failed == ["test_add"]
    assert rep.error and "assert 0 == 4" in rep.error
    assert rep.summary and rep.summary.startswith("1 failed, 1 passed")
    assert ("test_calc.py", 5) in {(f[0], f[1]) for f in rep.frames}


def test_parse_real_unittest_failure_with_frames_in_the_code(tmp_path: Path) -> None:
    sb = workspace(
        tmp_path,
        {
            "mod.py": "def half(x):\n    return x // 0\n",
            "test_mod.py": "import unittest\nfrom mod import half\n\n\nclass T(unittest.TestCase):\n"
            "    def test_half(self):\n        self.assertEqual(half(4), 2)\n",
        },
    )
    out = execute_tool(sb, "bash", {"command": "python -m unittest -q test_mod"}).content
    rep = parse_tests(out)
    assert rep.failed == ["T.test_half"] and rep.count == 1
    assert rep.frames_in("mod.py") == [("mod.py", 2, "half")]
    assert rep.error == "ZeroDivisionError: integer division or modulo by zero"
    assert rep.summary and "FAILED" in rep.summary


def test_find_hash_and_shown_line_on_real_outputs(tmp_path: Path) -> None:
    sb = workspace(tmp_path, {"a.txt": "one\ntwo\nthree\n"})
    out = execute_tool(
        sb, "bash", {"command": "git init -q && git add -A && git commit -qm 'Add a' && git log --oneline"}
    ).content
    sha = find_hash(out, "Add a")
    assert sha and len(sha) >= 7 and find_hash(out, "Other") is None
    shown = execute_tool(sb, "read_file", {"path": "a.txt", "start_line": 2, "end_line": 3}).content
    assert shown_line(shown, 3) == "three" and shown_line(shown, 1) is None


def first_turn(task, seed: int) -> dict:
    messages = [{"role": "system", "content": "s"}, {"role": "user", "content": task.instruction}]
    return asyncio.run(OraclePolicy(seed=seed).act(messages, [], task)).message


def test_wording_varies_with_the_seed_and_is_deterministic_per_seed() -> None:
    tasks = shell_tasks(seeds=1)[:6]
    thoughts = {first_turn(t, seed)["content"] for t in tasks for seed in range(4)}
    assert len(thoughts) >= 3
    assert first_turn(tasks[0], 7) == first_turn(tasks[0], 7)
    assert first_turn(tasks[0], 7)["tool_calls"][0]["function"]["arguments"] == {
        "command": tasks[0].check_cmd
    }


def test_every_kind_of_task_the_builders_make_has_an_oracle_plan(task_cache) -> None:
    """A task kind without a plan would only show up as a crashed episode, late in a long run."""
    from agentic_pipeline.policies.oracle import PLANS
    from agentic_pipeline.tasks.base import FAMILIES
    from agentic_pipeline.tasks.catalog import candidates
    from agentic_pipeline.tasks.facts import FACTS
    from agentic_pipeline.tasks.sources import project_sources

    sources = project_sources()[:3]
    kinds = {t.solution.kind for family in FAMILIES for t in candidates(family, sources)}
    assert {"fix", "implement", "rename", "merge", "patch"} <= kinds  # the builders really ran
    assert kinds - {"none"} <= set(PLANS), sorted(kinds - set(PLANS))
    # Every kind with a typed record of facts has a plan that reads it, and no plan lacks its record
    # (tests/test_task_facts.py shows the builders make every kind of FACTS).
    assert set(PLANS) == set(FACTS), sorted(set(PLANS) ^ set(FACTS))
