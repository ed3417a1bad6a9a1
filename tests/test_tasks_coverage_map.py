"""Narrowing a test command to the tests that execute a change, and explaining a red suite."""

from __future__ import annotations

import shlex
from pathlib import Path

from agentic_pipeline.tasks.coverage_map import CoverageMap, coverage_command, narrowed_command
from agentic_pipeline.tasks.mine import explain_failure

TESTS = ["tests/test_ops.py", "tests/conftest.py", "pkg/tests/test_deep.py"]


def test_pytest_is_narrowed_to_node_ids_and_keeps_its_options(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    cmd = "python -m pytest -q -x -p no:cacheprovider -o addopts= tests"
    got = shlex.split(
        narrowed_command(cmd, {"test_ops.test_clamp", "tests.test_ops.TestA.test_b"}, TESTS, tmp_path)
    )
    assert got[:9] == ["python", "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-o", "addopts="]
    assert got[9:] == ["tests/test_ops.py::TestA::test_b", "tests/test_ops.py::test_clamp"]  # "tests" dropped
    deep = narrowed_command(cmd, {"pkg.tests.test_deep.test_x"}, TESTS, tmp_path)
    assert deep.endswith(" pkg/tests/test_deep.py::test_x")


def test_the_full_command_runs_when_a_test_cannot_be_named(tmp_path: Path) -> None:
    cmd = "python -m pytest -q tests"
    assert narrowed_command(cmd, {""}, TESTS, tmp_path) == cmd  # run only at import
    assert narrowed_command(cmd, {"", "test_ops.test_clamp"}, TESTS, tmp_path).endswith("::test_clamp")
    assert narrowed_command(cmd, {"somewhere.else.test_y"}, TESTS, tmp_path) == cmd  # no such test file
    assert narrowed_command("make test", {"test_ops.test_clamp"}, TESTS, tmp_path) == "make test"
    assert narrowed_command(cmd, set(), TESTS, tmp_path) == cmd


def test_unittest_is_narrowed_to_dotted_names_importable_from_the_root(tmp_path: Path) -> None:
    cmd = "python -m unittest -q tests.test_ops"
    got = narrowed_command(cmd, {"tests.test_ops.TestA.test_b"}, TESTS, tmp_path)
    assert got == "python -m unittest -q tests.test_ops.TestA.test_b"
    # A module found by a shorter name (discover put its folder on sys.path) is not importable as named.
    assert narrowed_command(cmd, {"test_ops.TestA.test_b"}, TESTS, tmp_path) == cmd


def test_coverage_wraps_python_dash_m_only() -> None:
    assert (
        coverage_command("python -m pytest -q")
        == "python -m coverage run --rcfile=.agentic-coveragerc -m pytest -q"
    )
    assert coverage_command("pytest -q") is None


def test_a_coverage_map_round_trips_through_json() -> None:
    cov = CoverageMap({"a.py": {3: frozenset({"t.test_a", ""}), 4: frozenset({"t.test_b"})}})
    again = CoverageMap.from_json(cov.to_json())
    assert again == cov and again.runs("a.py", [1, 4]) and not again.runs("b.py", [3])
    assert again.contexts("a.py", [3, 4]) == {"", "t.test_a", "t.test_b"}


def test_a_red_suite_is_explained_by_its_failing_tests_and_first_errors() -> None:
    pytest_out = """F.
=================================== FAILURES ===================================
___________________________________ test_x ____________________________________
    def test_x():
>       assert add(1, 2) == 3
E       AssertionError: assert 4 == 3
=========================== short test summary info ============================
FAILED tests/test_a.py::test_x - AssertionError: assert 4 == 3
1 failed, 1 passed in 0.02s
"""
    why = explain_failure(pytest_out)
    assert why.splitlines()[0].strip().startswith("FAILED tests/test_a.py::test_x")
    assert "E       AssertionError: assert 4 == 3" in why and "passed" not in why
    unittest_out = """E
======================================================================
ERROR: test_core (unittest.loader._FailedTest.test_core)
----------------------------------------------------------------------
ImportError: Failed to import test module: test_core
Traceback (most recent call last):
ModuleNotFoundError: No module named 'shoutlib'
"""
    why = explain_failure(unittest_out)
    assert "ERROR: test_core" in why and "ModuleNotFoundError: No module named 'shoutlib'" in why
