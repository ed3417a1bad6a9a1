"""Each family end to end: real candidates, the real sandbox, the oracle through the real tools, the
real verifier; and the verifier is not fooled by an agent that edits the tests or does nothing."""

from __future__ import annotations

import asyncio
import re

import pytest

from agentic_pipeline import grounding
from agentic_pipeline.agent import RunConfig, run_episode
from agentic_pipeline.policies.base import PolicyResponse
from agentic_pipeline.policies.oracle import OraclePolicy
from agentic_pipeline.records import parse_record
from agentic_pipeline.tasks.base import Edit, Task
from agentic_pipeline.tasks.code_families import coding_tasks, debugging_tasks
from agentic_pipeline.tasks.devops import devops_source_tasks
from agentic_pipeline.tasks.devops_templates import config_tasks, pin_tasks, shell_tasks
from agentic_pipeline.tasks.refactoring import refactoring_tasks
from agentic_pipeline.tasks.sources import CodeSource
from agentic_pipeline.tasks.validity import task_is_valid

pytestmark = pytest.mark.usefixtures("task_cache")


def first_valid(tasks: list[Task], **meta: str) -> Task:
    for task in tasks:
        if all(task.meta.get(k) == v for k, v in meta.items()) and asyncio.run(task_is_valid(task)):
            return task
    raise AssertionError(f"no valid task with {meta}")


def solve(task: Task):
    record = asyncio.run(run_episode(task, OraclePolicy(seed=0), RunConfig(command_timeout_s=60)))
    parse_record(record.model_dump(mode="json", exclude_none=True))  # the record is a valid trajectory
    return record


def assert_solved(record, task: Task) -> None:
    assert record.outcome.verified, record.outcome.detail
    assert record.outcome.exit_status == "submitted"
    assert record.metadata.task_id == task.id and record.metadata.teacher == "oracle"
    assert record.messages[-1].role == "assistant" and record.messages[1].content == task.instruction
    # Every observation answered a call of the turn before it.
    calls = {c.id for m in record.messages if m.tool_calls for c in m.tool_calls}
    assert {m.tool_call_id for m in record.messages if m.role == "tool"} == calls
    # Grounded: every name its edits use, every line, path, test and error it cites was shown before.
    assert grounding.check(record) == [], grounding.describe(grounding.check(record) or [])


@pytest.mark.parametrize("family", ["debugging", "coding"])
def test_code_families_are_solved_and_thoughts_quote_real_failures(family: str, project: CodeSource) -> None:
    build = debugging_tasks if family == "debugging" else coding_tasks
    task = first_valid(build(project))
    record = solve(task)
    assert_solved(record, task)
    # The first run of the tests (the oracle sometimes looks at the layout first), and the thought after it.
    run = next(
        i
        for i, m in enumerate(record.messages)
        if m.tool_calls and m.tool_calls[0].function.arguments.get("command") == task.check_cmd
    )
    first_obs = record.messages[run + 1].content
    second_thought = record.messages[run + 2].content
    named = re.findall(r"`((?:\w+\.)?test_[^`]+)`", second_thought)
    assert named and all(name in first_obs for name in named)  # the failing tests it names were in the output


@pytest.mark.parametrize("kind", ["rename", "constant", "dataclass", "extract"])
def test_refactoring_is_solved_and_the_predicate_holds(kind: str, project: CodeSource) -> None:
    task = first_valid(refactoring_tasks(project), refactor=kind)
    record = solve(task)
    assert_solved(record, task)
    assert any(c.kind == "ast" for c in task.verifier.checks)
    assert "ok" in record.outcome.detail


@pytest.mark.parametrize("kind", ["merge", "revert", "bisect", "make"])
def test_devops_git_and_make_tasks_are_solved_with_the_real_tools(kind: str, project: CodeSource) -> None:
    task = first_valid(devops_source_tasks(project), devops=kind)
    record = solve(task)
    assert_solved(record, task)
    commands = [
        c.function.arguments.get("command", "") for m in record.messages if m.tool_calls for c in m.tool_calls
    ]
    tool = {"merge": "git merge", "revert": "git revert", "bisect": "git bisect run", "make": "make "}[kind]
    assert any(tool in c for c in commands)


@pytest.mark.parametrize("builder", [shell_tasks, config_tasks, pin_tasks], ids=["shell", "config", "pins"])
def test_builtin_devops_tasks_are_solved(builder) -> None:
    task = first_valid(builder())
    assert_solved(solve(task), task)


class RewriteTests:
    """A cheating agent: makes every test file trivially pass, then claims success."""

    name = "cheater"

    def __init__(self, paths: list[str], content: str = "def test_ok():\n    pass\n") -> None:
        self.paths = paths
        self.content = content

    async def act(self, messages, tools, task):
        step = sum(1 for m in messages if m["role"] == "assistant")
        if step < len(self.paths):
            args = {"path": self.paths[step], "content": self.content}
            call = {
                "id": f"c{step}",
                "type": "function",
                "function": {"name": "write_file", "arguments": args},
            }
        else:
            call = {
                "id": "done",
                "type": "function",
                "function": {"name": "finish", "arguments": {"summary": "fixed"}},
            }
        return PolicyResponse(message={"role": "assistant", "content": "...", "tool_calls": [call]})


def test_editing_the_tests_does_not_pass_the_verifier(project: CodeSource) -> None:
    task = first_valid(debugging_tasks(project))
    record = asyncio.run(run_episode(task, RewriteTests(project.test_files), RunConfig()))
    assert record.outcome.exit_status == "submitted"
    assert not record.outcome.verified and "tests failed" in record.outcome.detail


# Reports every failing test as passed: pytest exits 0 unless the shipped conftest.py is restored.
PASS_EVERYTHING = """import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    outcome.get_result().outcome = "passed"
"""


def test_an_added_conftest_that_hides_failures_does_not_pass_the_verifier(project: CodeSource) -> None:
    task = first_valid(debugging_tasks(project))
    record = asyncio.run(run_episode(task, RewriteTests(["conftest.py"], PASS_EVERYTHING), RunConfig()))
    assert record.outcome.exit_status == "submitted"
    assert not record.outcome.verified and "tests failed" in record.outcome.detail


def test_a_conftest_that_hides_failures_does_not_pass_the_verifier(project: CodeSource) -> None:
    task = first_valid(debugging_tasks(project))
    assert "tests/conftest.py" in task.verifier.pin_base
    record = asyncio.run(run_episode(task, RewriteTests(["tests/conftest.py"], PASS_EVERYTHING), RunConfig()))
    assert record.outcome.exit_status == "submitted"
    assert not record.outcome.verified and "tests failed" in record.outcome.detail


class WriteFiles(RewriteTests):
    """A cheating agent that writes several files, each with its own content, then claims success."""

    def __init__(self, files: dict[str, str]) -> None:
        super().__init__(list(files))
        self.files = files

    async def act(self, messages, tools, task):
        step = sum(1 for m in messages if m["role"] == "assistant")
        if step < len(self.paths):
            self.content = self.files[self.paths[step]]
        return await super().act(messages, tools, task)


PLUGIN_CHEAT = {"cheat.py": PASS_EVERYTHING, "setup.cfg": "[tool:pytest]\naddopts = -p cheat\n"}


def test_a_plugin_loaded_from_setup_cfg_does_not_pass_the_verifier(project: CodeSource) -> None:
    task = first_valid(debugging_tasks(project))
    record = asyncio.run(run_episode(task, WriteFiles(PLUGIN_CHEAT), RunConfig()))
    assert record.outcome.exit_status == "submitted"
    assert not record.outcome.verified
    assert "pytest settings in setup.cfg" in record.outcome.detail


def test_the_plugin_cheat_works_when_the_settings_are_not_checked(project: CodeSource, monkeypatch) -> None:
    """The cheat above is real: with the settings check switched off, the broken code 'passes'."""
    from agentic_pipeline.tasks import verify as verify_module

    monkeypatch.setattr(verify_module, "_changed_test_settings", lambda workspace, base: None)
    task = first_valid(debugging_tasks(project))
    record = asyncio.run(run_episode(task, WriteFiles(PLUGIN_CHEAT), RunConfig()))
    assert record.outcome.verified


def test_editing_pyproject_outside_its_pytest_section_is_allowed(tmp_path) -> None:
    from agentic_pipeline.tasks.verify import _changed_test_settings

    base, ws = tmp_path / "base", tmp_path / "ws"
    for root in (base, ws):
        (root / "sub").mkdir(parents=True)
    shipped = '[project]\nname = "x"\ndependencies = ["a==1"]\n\n[tool.pytest.ini_options]\naddopts = "-q"\n'
    (base / "pyproject.toml").write_text(shipped)
    (ws / "pyproject.toml").write_text(shipped.replace("a==1", "a==2").replace('"-q"', "'-q'"))
    (ws / "sub" / "tox.ini").write_text("[tox]\nenvlist = py311\n")
    assert _changed_test_settings(ws, base) is None
    (ws / "pyproject.toml").write_text(shipped.replace('"-q"', '"-q --deselect tests/test_a.py"'))
    assert _changed_test_settings(ws, base) == "pyproject.toml"
    (ws / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert _changed_test_settings(ws, base) == "pyproject.toml"
    (ws / "pyproject.toml").write_text(shipped)
    (ws / "sub" / "tox.ini").write_text("[pytest]\npython_files = nothing_*.py\n")
    assert _changed_test_settings(ws, base) == "sub/tox.ini"


FAKE_PYTEST = {"pytest.py": 'import sys\nprint("24 passed in 0.01s")\nsys.exit(0)\n'}


def test_a_module_that_shadows_the_test_runner_does_not_pass_the_verifier(project: CodeSource) -> None:
    task = first_valid(debugging_tasks(project))
    record = asyncio.run(run_episode(task, WriteFiles(FAKE_PYTEST), RunConfig()))
    assert not record.outcome.verified
    assert "pytest.py was added and shadows" in record.outcome.detail


def test_the_fake_pytest_works_when_shadowing_is_not_checked(project: CodeSource, monkeypatch) -> None:
    """`python -m pytest` runs a workspace's pytest.py: without the check the broken code 'passes'."""
    from agentic_pipeline.tasks import verify as verify_module

    monkeypatch.setattr(verify_module, "_added_shadow", lambda workspace, base, pinned: None)
    monkeypatch.setattr(verify_module, "reported_command", lambda test_cmd, report: None)  # no report asked
    task = first_valid(debugging_tasks(project))
    record = asyncio.run(run_episode(task, WriteFiles(FAKE_PYTEST), RunConfig()))
    assert record.outcome.verified


def test_added_modules_are_flagged_only_when_they_shadow_and_were_not_shipped(tmp_path) -> None:
    from agentic_pipeline.tasks.verify import _added_shadow

    base, ws = tmp_path / "base", tmp_path / "ws"
    for root in (base, ws):
        (root / "tests").mkdir(parents=True)
        (root / "typing.py").write_text("# a stdlib module shipped as the task's source\n")
        (root / "test_typing.py").write_text("# its shipped tests, beside it\n")
    pinned = ["test_typing.py", "tests/test_a.py"]
    (ws / "helpers.py").write_text("X = 1\n")  # a new module of the agent's own: fine
    (ws / "json").mkdir()  # a bare folder is a namespace portion: never imported before the real json
    assert _added_shadow(ws, base, pinned) is None
    (ws / "test_typing").mkdir()  # a package beside test_typing.py is imported instead of it
    (ws / "test_typing" / "__init__.py").write_text("")
    assert _added_shadow(ws, base, pinned) == "test_typing"
    (ws / "test_typing" / "__init__.py").unlink()
    (ws / "tests" / "unittest").mkdir()
    (ws / "tests" / "unittest" / "__init__.py").write_text("")
    assert _added_shadow(ws, base, pinned) == "tests/unittest"
    (ws / "_pytest.pyc").write_bytes(b"")  # a sourceless module is importable too
    assert _added_shadow(ws, base, pinned) == "_pytest.pyc"


EXIT_AT_COLLECTION = {"tests/test_zz_done.py": 'import os\nprint("24 passed in 0.01s")\nos._exit(0)\n'}


def test_an_added_test_module_that_exits_early_does_not_pass_the_verifier(project: CodeSource) -> None:
    """pytest imports every test module before running any test: one that exits 0 at import would end
    the run green. Test modules the agent added are removed before the verifier runs."""
    task = first_valid(debugging_tasks(project))
    record = asyncio.run(run_episode(task, WriteFiles(EXIT_AT_COLLECTION), RunConfig()))
    assert not record.outcome.verified and "tests failed" in record.outcome.detail


def _cheat_in_source(project: CodeSource, epilogue: str) -> tuple[Task, WriteFiles]:
    """The buggy source file, left buggy, with ``epilogue`` run at the end of its import."""
    task = first_valid(debugging_tasks(project))
    rel = task.patches[0].path
    return task, WriteFiles({rel: task.start_text(rel) + "\n" + epilogue})


def test_source_that_exits_0_at_import_does_not_pass_the_verifier(project: CodeSource) -> None:
    """The source is the agent's to edit: an `os._exit(0)` there ends pytest green during collection,
    printing a fake summary. The runner's own report is missing, so it does not count."""
    task, agent = _cheat_in_source(project, 'import os\nprint("24 passed in 0.01s")\nos._exit(0)\n')
    record = asyncio.run(run_episode(task, agent, RunConfig()))
    assert not record.outcome.verified
    assert "exited 0 without finishing" in record.outcome.detail


def test_source_that_skips_the_failing_tests_does_not_pass_the_verifier(project: CodeSource) -> None:
    """The buggy function is replaced by one that calls pytest.skip(): the tests that would fail are
    skipped, the rest pass, pytest exits 0. Fewer tests pass than on the original code: no verdict."""
    task = next(
        t
        for t in debugging_tasks(project)
        if (t.solution.facts.function or "").count(".") <= 1 and asyncio.run(task_is_valid(t))
    )
    rel, target = task.patches[0].path, task.solution.facts.function
    epilogue = f"import pytest as _pytest\n\n\ndef _later(*args, **kwargs):\n    _pytest.skip('later')\n\n\n{target} = _later\n"
    record = asyncio.run(
        run_episode(task, WriteFiles({rel: task.start_text(rel) + "\n" + epilogue}), RunConfig())
    )
    assert not record.outcome.verified
    assert re.search(
        r"\b\d+ tests passed, \d+ pass on the original code \([1-9]\d* skipped\)", record.outcome.detail
    )


def test_a_stdlib_tests_run_is_counted_through_its_report(tmp_path) -> None:
    """unittest has no report file of its own: the verifier's runner writes one; skips are counted."""
    from agentic_pipeline.sandbox import Limits, Sandbox
    from agentic_pipeline.tasks.verify import _reported_run

    (tmp_path / "test_m.py").write_text(
        "import unittest\n\n\nclass T(unittest.TestCase):\n"
        "    def test_a(self):\n        pass\n\n"
        "    @unittest.skip('no')\n    def test_b(self):\n        pass\n\n"
        "    def test_c(self):\n        self.assertEqual(1, 2)\n"
    )
    sandbox = Sandbox(tmp_path, Limits(timeout_s=60))
    result, report, asked = asyncio.run(_reported_run("python -m unittest -q test_m", sandbox, 60))
    assert asked and result.exit_code == 1
    assert (report.tests, report.failures, report.skipped, report.passed) == (3, 1, 1, 1)
    assert not list(tmp_path.glob(".verifier-*"))  # the report is read, then removed


@pytest.mark.parametrize("kind", ["bisect", "revert"])
def test_a_git_task_is_valid_only_when_its_tests_really_fail_at_head(project: CodeSource, kind: str) -> None:
    """'The tests fail at HEAD' must be true: a mutant the tests miss makes the task unanswerable."""
    import dataclasses

    task = first_valid(devops_source_tasks(project), devops=kind)
    assert task.meta["fails_at_start"] == project.test_cmd
    missed = dataclasses.replace(task, meta={**task.meta, "fails_at_start": "true"})  # exits 0: no failure
    assert not asyncio.run(task_is_valid(missed))


@pytest.mark.parametrize(
    ("build", "reference"),
    [
        (debugging_tasks, "a fix that changes nothing"),
        (coding_tasks, "a fix that changes nothing"),
        (refactoring_tasks, "a fix that changes nothing"),
        (debugging_tasks, "an edit that does not apply"),
    ],
    ids=["debugging", "coding", "refactoring", "not-applying"],
)
def test_a_task_whose_reference_solution_fails_its_verifier_is_not_valid(
    project: CodeSource, build, reference: str
) -> None:
    """The reference solution must pass the task's own verifier: a fix that does not fix is no task
    (the oracle would be rejected on it, late, in a long run); the same task with its real reference is."""
    import dataclasses

    task = first_valid([t for t in build(project) if t.solution.edits])
    e = task.solution.edits[0]
    edit = Edit(e.path, e.old, e.old) if "nothing" in reference else Edit(e.path, "no such text\n", e.new)
    broken = dataclasses.replace(task, solution=dataclasses.replace(task.solution, edits=[edit]))
    assert broken.content_hash() == task.content_hash()  # same workspace and verifier: only the reference
    assert not asyncio.run(task_is_valid(broken))
    assert asyncio.run(task_is_valid(task))
