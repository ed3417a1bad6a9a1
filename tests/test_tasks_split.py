"""The held-out split: by source, deterministic, honoured by the generators, enforced by the validator."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import typing
from pathlib import Path

import pytest
from typer.testing import CliRunner
from validate_helpers import example, run, write_records

from agentic_pipeline.cli import app
from agentic_pipeline.commands.options import TaskSplit
from agentic_pipeline.generate.conversations import SessionConfig, generate_sessions
from agentic_pipeline.generate.reasoning import ReasoningConfig, generate_reasoning
from agentic_pipeline.tasks.base import FAMILIES, Task
from agentic_pipeline.tasks.catalog import candidates, write_task_file
from agentic_pipeline.tasks.devops_templates import config_tasks, pin_tasks, shell_tasks
from agentic_pipeline.tasks.mine import repo_source
from agentic_pipeline.tasks.projects import list_projects
from agentic_pipeline.tasks.sources import STDLIB_MODULES, project_sources, stdlib_sources
from agentic_pipeline.tasks.split import (
    CHOICES,
    select,
    select_sources,
    source_of_task_id,
    split_key,
    split_of,
)

# The shipped pool's held-out sources. A change here moves tasks between training and evaluation:
# data generated before would then hold eval tasks (and eval results would compare other tasks).
SHIPPED_EVAL = [
    "builtin:shell/backup",
    "project:bankaccount",
    "project:textkit",
    "stdlib:aifc",
    "stdlib:optparse",
    "stdlib:quopri",
    "stdlib:uuid",
]
BUILTIN_GROUPS = [
    *(f"builtin:shell/{n}" for n in ("sales", "errors", "backup", "wordfreq", "bigfiles", "older")),
    *(f"builtin:config/{n}" for n in ("ini", "toml", "yaml")),
    "builtin:pins",
]


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTIC_CACHE_DIR", str(tmp_path / "cache"))


def builtin_tasks() -> list[Task]:
    return shell_tasks() + config_tasks() + pin_tasks()


# ----------------------------------------------------------------------------- the split itself


def test_the_shipped_pool_holds_out_the_pinned_sources_of_every_kind() -> None:
    names = (
        [f"project:{p}" for p in list_projects()] + [f"stdlib:{m}" for m in STDLIB_MODULES] + BUILTIN_GROUPS
    )
    assert sorted(n for n in names if split_of(n) == "eval") == SHIPPED_EVAL
    assert {t.source for t in builtin_tasks()} == set(BUILTIN_GROUPS)
    # at least one eval source among projects and among the stdlib modules present on Python >= 3.13
    assert any(n.startswith("project:") for n in SHIPPED_EVAL)
    assert [n for n in SHIPPED_EVAL if n.startswith("stdlib:") and n not in ("stdlib:aifc", "stdlib:uu")]


def test_the_split_depends_on_the_source_name_only() -> None:
    # the same answer call after call, and for sources built again from scratch
    first = {s.name: split_of(s.name) for s in project_sources() + stdlib_sources(("textwrap", "quopri"))}
    again = {s.name: split_of(s.name) for s in project_sources() + stdlib_sources(("textwrap", "quopri"))}
    assert first == again and set(first.values()) == {"train", "eval"}
    # a synthesized project's name ends with a hash of its content: not part of the split, so every project
    # written on one subject falls on one side (a content-based split would part ~18% of these pairs)
    for i in range(300):
        a, b = f"synth:subject-{i}-0123456789ab", f"synth:subject-{i}-ba9876543210"
        assert split_key(a) == split_key(b) == f"synth:subject-{i}"
        assert split_of(a) == split_of(b)
    # ~10% per kind: 300 hashes of one kind land near the share
    held = sum(split_of(f"repo:r{i}") == "eval" for i in range(300))
    assert 15 <= held <= 45


def test_a_mined_repository_keeps_its_split_when_its_content_changes(tmp_path: Path) -> None:
    splits = []
    for version in ("1", "2"):
        root = tmp_path / version / "myrepo"
        root.mkdir(parents=True)
        (root / "lib.py").write_text(f"VERSION = {version}\n")
        (root / "test_lib.py").write_text("import lib\n")
        src = repo_source(root, "python -m pytest -q", "myrepo")
        splits.append((src.name, split_of(src.name)))
    assert splits[0] == splits[1] == ("repo:myrepo", split_of("repo:myrepo"))


def test_no_source_has_tasks_in_both_splits_and_task_ids_tell_the_source() -> None:
    sources = project_sources() + stdlib_sources(("quopri", "textwrap"))
    pool = [t for f in FAMILIES for t in candidates(f, sources)]
    train, held = select(pool, "train"), select(pool, "eval")
    assert len(train) + len(held) == len(pool) and select(pool, "all") == pool
    assert not {t.source for t in train} & {t.source for t in held}
    assert {t.split for t in train} == {"train"} and {t.split for t in held} == {"eval"}
    for family in FAMILIES:  # the eval split has every family, the train split plenty of each
        assert [t for t in held if t.family == family], family
        assert len([t for t in train if t.family == family]) >= 50, family
    # what the validator reads from an older record's task id gives the task's own split
    for t in pool:
        assert split_key(source_of_task_id(t.id) or "") == split_key(t.source), t.id
    assert select_sources(sources, "eval") == [s for s in sources if s.name in SHIPPED_EVAL]


def test_the_cli_choices_are_the_modules() -> None:
    assert typing.get_args(typing.get_args(TaskSplit)[0]) == CHOICES


# ----------------------------------------------------------------------------- the generators


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "agentic_pipeline.cli", *args]


def kept(out: Path) -> list[dict]:
    path = out / "trajectories" / "devops_tasks.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def test_generate_draws_only_train_tasks_from_a_task_file_by_default(tmp_path: Path) -> None:
    by_group = {}
    for t in shell_tasks(seeds=1):
        by_group.setdefault(t.source, []).append(t)
    held, trained = by_group["builtin:shell/backup"][:2], by_group["builtin:shell/sales"][:2]
    assert {t.split for t in held} == {"eval"} and {t.split for t in trained} == {"train"}
    tasks = tmp_path / "tasks.jsonl"
    write_task_file(tasks, held + trained)

    default = tmp_path / "default"
    done = subprocess.run(
        cli("generate", "trajectories", "--count", "4", "--category", "devops", "--tasks", str(tasks),
            "--out", str(default)),
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    # only the two train tasks: the run says it ran out (exit 3) and why the file's others are left out
    assert done.returncode == 3, done.stdout + done.stderr
    said = " ".join(done.stderr.split())
    assert "2 of the 4 tasks" in said and "builtin:shell/backup" in said
    records = kept(default)
    assert sorted(r["metadata"]["task_id"] for r in records) == sorted(t.id for t in trained)
    assert {r["metadata"]["source"] for r in records} == {"builtin:shell/sales"}

    evaluation = tmp_path / "eval"
    done = subprocess.run(
        cli("generate", "trajectories", "--count", "2", "--category", "devops", "--tasks", str(tasks),
            "--out", str(evaluation), "--split", "eval"),
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(r["metadata"]["task_id"] for r in kept(evaluation)) == sorted(t.id for t in held)

    bad = subprocess.run(
        cli("generate", "trajectories", "--count", "1", "--tasks", str(tasks), "--split", "test"),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert bad.returncode == 2 and "--split" in bad.stdout + bad.stderr


def test_sessions_and_reasoning_skip_the_eval_sources(tmp_path: Path) -> None:
    """Given only a held-out project, the train split has nothing to run: no session, no record, no sandbox."""
    held = [s for s in project_sources() if s.name == "project:textkit"]
    assert held and split_of(held[0].name) == "eval"
    out = tmp_path / "data"
    counts = asyncio.run(generate_sessions(SessionConfig(count=1, out=out, workers=1, sources=held)))
    assert (counts.kept, counts.attempts, counts.invalid, counts.exhausted) == (0, 0, 0, True)
    results = asyncio.run(
        generate_reasoning(
            ReasoningConfig(count=1, categories=["problem_solving"], out=out, workers=1, sources=held)
        )
    )
    assert [(r.kept, r.attempts, r.invalid, r.exhausted) for r in results] == [(0, 0, 0, True)]
    assert not list(out.rglob("*.jsonl"))
    with pytest.raises(ValueError, match="--split"):
        asyncio.run(generate_sessions(SessionConfig(count=1, out=out, sources=held, split="test")))


# ----------------------------------------------------------------------------- the validator


def _record(task_id: str | None, source: str | None, **more) -> dict:
    record = example("trajectory_debugging")
    record["metadata"] = {
        k: v for k, v in {"task_id": task_id, "source": source, **more}.items() if v is not None
    }
    return record


def test_validate_flags_a_training_record_of_an_eval_task_with_file_and_line(tmp_path: Path) -> None:
    sales = next(t for t in builtin_tasks() if t.source == "builtin:shell/sales")
    backup = next(t for t in builtin_tasks() if t.source == "builtin:shell/backup")
    records = [
        _record("debugging-project.ledger-0123456789abcdef", "project:ledger"),  # 1: train
        _record("debugging-project.textkit-0123456789abcdef", "project:textkit"),  # 2: eval
        _record("coding-stdlib.uuid-0123456789abcdef", None),  # 3: eval, read from the task id
        _record(sales.id, "builtin"),  # 4: train (an older built-in record: the id names the group)
        _record(backup.id, "builtin"),  # 5: eval
        _record(
            "sess-0123", "project:ledger", requests=[{"task_id": "coding-stdlib.quopri-0123456789abcdef"}]
        ),
        _record("slugify/repeated-dashes", "example"),  # 7: no task source
        _record(None, "trajectories"),  # 8
    ]
    write_records(tmp_path, records)
    report = run(tmp_path)
    flagged = {f.where(): f for f in report.findings if f.check == "eval_contamination"}
    file = "trajectories/debugging_tasks.jsonl"
    assert sorted(flagged) == [f"{file}:{n}" for n in (2, 3, 5, 6)]
    assert {f.severity for f in flagged.values()} == {"error"}
    assert "project:textkit" in flagged[f"{file}:2"].message
    assert "builtin:shell/backup" in flagged[f"{file}:5"].message
    assert "stdlib:quopri" in flagged[f"{file}:6"].message
    assert report.summary["by_check"]["eval_contamination"]["error"] == 4

    # a folder of evaluation data: the train records are the misplaced ones; all: no check
    other = {f.where() for f in run(tmp_path, split="eval").findings if f.check == "train_in_eval"}
    assert sorted(other) == [f"{file}:{n}" for n in (1, 4, 6)]
    assert not {f.check for f in run(tmp_path, split="all").findings} & {
        "eval_contamination",
        "train_in_eval",
    }


def test_validate_cli_exits_1_on_eval_contamination_and_fix_drops_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_records(data, [_record("debugging-project.ledger-0123456789abcdef", "project:ledger")])
    assert CliRunner().invoke(app, ["validate", "--data-dir", str(data)]).exit_code == 0
    held = _record("debugging-project.textkit-0123456789abcdef", "project:textkit")
    held["id"] = "traj-held-out"
    held["messages"][1]["content"] += " (another wording, not a duplicate)"
    write_records(data, [held])
    result = CliRunner().invoke(app, ["validate", "--data-dir", str(data), "--fix", str(tmp_path / "clean")])
    assert result.exit_code == 1
    assert "trajectories/debugging_tasks.jsonl:2 eval_contamination" in " ".join(result.output.split())
    rejected = tmp_path / "clean" / "rejected" / "eval_contamination.jsonl"
    assert json.loads(rejected.read_text())["record"]["id"] == "traj-held-out"
    assert CliRunner().invoke(app, ["validate", "--data-dir", str(data), "--split", "all"]).exit_code == 0


def test_tasks_list_shows_each_sources_split_and_the_counts_per_split(tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.jsonl"
    write_task_file(tasks, shell_tasks(seeds=1))
    shown = CliRunner().invoke(app, ["tasks", "list", "--tasks", str(tasks)])
    assert shown.exit_code == 0, shown.output
    rows = {
        line.split()[0]: line.split()[2] for line in shown.output.splitlines() if "builtin:shell/" in line
    }
    assert rows == {s: split_of(s) for s in BUILTIN_GROUPS if s.startswith("builtin:shell/")}
    assert rows["builtin:shell/backup"] == "eval"
    per_split = [line.split() for line in shown.output.splitlines() if line.split()[:1] == ["devops"]]
    held = sum(t.split == "eval" for t in shell_tasks(seeds=1))
    assert [r[:3] for r in per_split] == [["devops", "│", "train"], ["devops", "│", "eval"]]
    assert per_split[1][4] == str(held) and held > 0
    only_eval = CliRunner().invoke(app, ["tasks", "list", "--tasks", str(tasks), "--split", "eval"])
    assert "builtin:shell/sales" not in only_eval.output and "builtin:shell/backup" in only_eval.output
