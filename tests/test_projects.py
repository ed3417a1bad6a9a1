"""The shipped task projects: each keeps the layout task builders parse, and its own suite passes."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib

import pytest

from agentic_pipeline.tasks.projects import PROJECTS_DIR, list_projects

PROJECTS = list_projects()
REQUIRED_KEYS = {"name", "description", "domain", "package", "src", "tests", "test_cmd", "refactor_hints"}


def load_meta(name: str) -> dict:
    return tomllib.loads((PROJECTS_DIR / name / "PROJECT.toml").read_text())


def test_enough_projects_in_varied_domains():
    assert len(PROJECTS) >= 12
    assert len({load_meta(name)["domain"] for name in PROJECTS}) >= 10
    assert sum(1 for name in PROJECTS if load_meta(name)["refactor_hints"]) >= 4


@pytest.mark.parametrize("name", PROJECTS)
def test_layout(name):
    root = PROJECTS_DIR / name
    meta = load_meta(name)
    assert set(meta) >= REQUIRED_KEYS, f"{name}: PROJECT.toml lacks {REQUIRED_KEYS - set(meta)}"
    assert meta["name"] == name
    assert "\n" not in meta["description"]
    assert meta["test_cmd"] == "python -m pytest -q -x -p no:cacheprovider tests"
    assert (root / meta["package"] / "__init__.py").is_file()
    assert (root / "tests" / "conftest.py").is_file()
    assert 1 <= len(meta["src"]) <= 3
    lines = 0
    for src in meta["src"]:
        path = root / src
        assert path.is_file(), f"{name}: {src} listed but missing"
        assert path.parent.name == meta["package"]
        lines += len(path.read_text().splitlines())
    assert 80 <= lines <= 250, f"{name}: {lines} lines of code, expected 80-250"
    for test in meta["tests"]:
        assert (root / test).is_file(), f"{name}: {test} listed but missing"


@pytest.mark.parametrize("name", PROJECTS)
def test_code_uses_only_the_standard_library(name):
    meta = load_meta(name)
    allowed = set(sys.stdlib_module_names) | {meta["package"], "__future__"}
    for src in meta["src"]:
        tree = ast.parse((PROJECTS_DIR / name / src).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                assert module.split(".")[0] in allowed, f"{name}/{src} imports {module}"


@pytest.mark.parametrize("name", PROJECTS)
def test_suite_passes_in_a_copy(name, tmp_path):
    meta = load_meta(name)
    workspace = tmp_path / name
    shutil.copytree(PROJECTS_DIR / name, workspace, ignore=shutil.ignore_patterns("__pycache__"))
    command = meta["test_cmd"].split()
    assert command[0] == "python"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    result = subprocess.run(
        [sys.executable, *command[1:]], cwd=workspace, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    passed = re.search(r"(\d+) passed", result.stdout)
    assert passed, result.stdout
    assert 15 <= int(passed.group(1)) <= 40
    assert not list(workspace.rglob("__pycache__")), "a run must leave no bytecode behind"


def test_candidate_lists_of_the_same_source_at_two_paths_point_at_their_own_copy(tmp_path, monkeypatch):
    """The memo of candidate tasks is per path: a second checkout (or a moved venv) must not get tasks
    whose workspaces are built from the first one (seen: 184 'No such file' after a copy was removed)."""
    from dataclasses import replace

    from agentic_pipeline.tasks.catalog import source_tasks
    from agentic_pipeline.tasks.sources import project_sources

    monkeypatch.setenv("AGENTIC_CACHE_DIR", str(tmp_path / "cache"))
    src = next(s for s in project_sources() if s.name == "project:graphkit")
    copies = []
    for name in ("one", "two"):
        shutil.copytree(src.root, tmp_path / name)
        copies.append(replace(src, root=tmp_path / name))
    first, second = (source_tasks(c, "debugging") for c in copies)
    assert first and [t.id for t in first] == [t.id for t in second]
    assert {t.base for t in first} == {str(tmp_path / "one")}
    assert {t.base for t in second} == {str(tmp_path / "two")}
