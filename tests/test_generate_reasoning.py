"""Reasoning records: offline problem_solving grounded and verified; teacher categories refused offline,
generated through a real local HTTP server (live OpenAI protocol, Anthropic Message Batches)."""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
from pathlib import Path

from teacher_server import TeacherServer
from typer.testing import CliRunner

from agentic_pipeline.cli import app
from agentic_pipeline.curate.pipeline import Options, validate
from agentic_pipeline.generate.reasoning import ReasoningConfig, generate_reasoning
from agentic_pipeline.layout import data_file
from agentic_pipeline.llm.ledger import Ledger
from agentic_pipeline.records import ReasoningRecord
from agentic_pipeline.sandbox import Limits, Sandbox
from agentic_pipeline.tasks.catalog import candidates
from agentic_pipeline.tasks.sources import project_sources
from agentic_pipeline.teacher import TeacherConfig


def source():
    return [s for s in project_sources() if s.name == "project:graphkit"]


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def test_offline_problem_solving_is_grounded_and_its_patch_fixes_the_tests(tmp_path: Path) -> None:
    config = ReasoningConfig(
        count=1, categories=["problem_solving"], out=tmp_path, workers=1, sources=source()
    )
    (state,) = asyncio.run(generate_reasoning(config))
    assert state.kept == 1
    (obj,) = lines(data_file(tmp_path, "reasoning", "problem_solving"))
    record = ReasoningRecord.model_validate(obj)
    user, answer = record.messages[-2].content, record.messages[-1].content
    assert record.outcome.verified and record.metadata.evidence["after_patch"]["exit_code"] == 0
    assert record.metadata.evidence["before"]["summary"]  # the real failing run's own summary line
    assert re.search(r"^1\. ", answer, re.M) and "\nAnswer: " in answer
    # The failing output in the prompt is the real one: it names the failing test the evidence lists.
    assert record.metadata.evidence["before"]["failed"][0] in user
    # Independently of the generator: the patch in the answer, applied to the buggy workspace, fixes it.
    task = next(
        t for t in candidates("debugging", source(), standalone=False) if t.id == record.metadata.task_id
    )
    patch = re.search(r"```diff\n(.*?)```", answer, re.S).group(1)
    with tempfile.TemporaryDirectory() as tmp:
        ws = task.materialize(Path(tmp) / "ws")
        sandbox = Sandbox(ws, Limits(timeout_s=60))
        assert sandbox.run(task.check_cmd).exit_code != 0
        (ws / "fix.diff").write_text(patch)
        assert sandbox.run("patch -p1 < fix.diff").exit_code == 0
        assert sandbox.run(task.check_cmd).exit_code == 0
    report = validate(Options(data_dir=tmp_path, workers=1))
    assert report.errors == 0, [f.message for f in report.findings if f.severity == "error"]


def test_offline_architecture_decisions_is_refused_clearly(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "generate",
            "reasoning",
            "--count",
            "3",
            "--category",
            "architecture_decisions",
            "--out",
            str(tmp_path),
        ],
    )
    text = " ".join(result.output.split())
    assert result.exit_code == 2 and "Traceback" not in text
    assert "architecture_decisions: not generated" in text and "--teacher anthropic:MODEL" in text
    assert not list(tmp_path.rglob("*.jsonl"))


def test_teacher_categories_live_and_by_batch(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-REASONTEST-0123456789")
    with TeacherServer() as server:
        live = CliRunner().invoke(
            app,
            ["generate", "reasoning", "--count", "2", "--category", "architecture_decisions", "--out",
             str(tmp_path), "--teacher", "openai:scripted", "--base-url", server.url + "/v1"],
        )  # fmt: skip
        assert live.exit_code == 0, live.output
        batch_args = ["generate", "reasoning", "--count", "3", "--category", "tradeoff_analysis", "--out",
                      str(tmp_path), "--teacher", "anthropic:claude-test", "--base-url", server.url, "--batch",
                      "--poll-seconds", "0.01"]  # fmt: skip
        batch = CliRunner().invoke(app, batch_args)
        assert batch.exit_code == 0, batch.output
        assert len(server.state.batches) == 1
        again = CliRunner().invoke(app, batch_args)  # resume: everything is there, nothing is submitted
        assert again.exit_code == 0 and len(server.state.batches) == 1
    arch = lines(data_file(tmp_path, "reasoning", "architecture_decisions"))
    trade = lines(data_file(tmp_path, "reasoning", "tradeoff_analysis"))
    assert len(arch) == 2 and len(trade) == 3 and len({r["id"] for r in trade}) == 3
    for obj in arch + trade:
        record = ReasoningRecord.model_validate(obj)
        assert [m.role for m in record.messages] == ["system", "user", "assistant"]
        assert "Answer:" in record.messages[-1].content and not record.tools
    assert arch[0]["metadata"]["teacher"] == "openai:scripted"
    with Ledger(tmp_path) as ledger:
        assert ledger.totals().requests == 5
    report = validate(Options(data_dir=tmp_path, workers=1))
    assert report.errors == 0, [f.message for f in report.findings if f.severity == "error"]


def test_a_teacher_problem_solving_answer_without_a_working_patch_is_rejected(tmp_path: Path) -> None:
    with TeacherServer() as server:
        config = ReasoningConfig(
            count=1, categories=["problem_solving"], out=tmp_path, workers=1, sources=source(), max_items=1
        )
        teacher = TeacherConfig(spec="openai:scripted", base_url=server.url + "/v1")
        with teacher.open(tmp_path, api_key="sk-test-0123456789", max_retries=0) as opened:
            (state,) = asyncio.run(generate_reasoning(config, opened))
            assert opened.ledger is not None and opened.ledger.totals().requests == 1
    assert state.kept == 0 and state.rejected == 1
    assert lines(data_file(tmp_path, "reasoning", "problem_solving")) == []
    (rejected,) = lines(tmp_path / "rejected" / "reasoning" / "problem_solving.jsonl")
    assert "no ```diff block" in rejected["metadata"]["rejected_reason"]
    assert rejected["metadata"]["teacher"] == "openai:scripted" and rejected["metadata"]["evidence"]["before"]
