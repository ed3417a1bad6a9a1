"""Broken inputs become findings with file:line, never tracebacks; the CLI, --fix and the report."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner
from validate_helpers import ROOT, checks, example, run, write_records

from agentic_pipeline.cli import app


def _other_task() -> dict:
    record = example("trajectory_debugging", id="last")
    record["messages"][1]["content"] = (
        "Titles with several dashes in a row break ./slugify; fix it, tests unchanged."
    )
    return record


@pytest.fixture
def broken(tmp_path):
    """A folder with one valid record between lines that are broken in every way the reader knows."""
    good = json.dumps(example("trajectory_debugging")).encode()
    path = tmp_path / "trajectories" / "debugging_tasks.jsonl"
    path.parent.mkdir(parents=True)
    lines = [
        b"\xef\xbb\xbf" + good,  # 1: BOM, then a valid record
        b'{"id": "x", "kind": ',  # 2: bad JSON
        b'{"id": "caf\xe9"}',  # 3: invalid UTF-8
        b"[1, 2, 3]",  # 4: not an object
        b"",  # 5: blank, skipped
        b'{"id": "' + b"a" * (50 * 1024 * 1024) + b'"}',  # 6: a 50 MB line
        json.dumps(_other_task()).encode(),  # 7: valid
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    (tmp_path / "reasoning").mkdir()
    (tmp_path / "reasoning" / "problem_solving.jsonl").write_bytes(b"")
    return tmp_path


def test_broken_lines_are_findings_with_file_and_line(broken):
    report = run(broken, near_dup=False)
    where = {(f.file, f.line, f.check, f.severity) for f in report.findings}
    t = "trajectories/debugging_tasks.jsonl"
    assert (t, 1, "read", "warning") in where  # BOM
    messages = {f.line: f.message for f in report.findings if f.file == t and f.severity == "error"}
    assert messages[2].startswith("bad JSON")
    assert messages[3].startswith("invalid UTF-8 at byte offset 11")
    assert messages[4] == "expected a JSON object, got list"
    assert "more than the limit" in messages[6] and "52,428,8" in messages[6]
    assert set(messages) == {2, 3, 4, 6}
    assert ("reasoning/problem_solving.jsonl", 0, "read", "warning") in where  # empty file
    assert report.summary["records"] == 2  # the BOM record and the last one were read


def test_broken_lines_with_workers_and_small_chunks(broken):
    one = run(broken, near_dup=False)
    many = run(broken, near_dup=False, workers=2, chunk_bytes=1024)
    assert [(f.file, f.line, f.check) for f in one.findings] == [
        (f.file, f.line, f.check) for f in many.findings
    ]


def test_cli_exit_codes_and_report_shape(tmp_path):
    runner = CliRunner()
    data = tmp_path / "data"
    write_records(data, [example("trajectory_coding"), example("preference_efficiency")])
    report_path = tmp_path / "report.json"
    ok = runner.invoke(
        app, ["validate", "--data-dir", str(data), "--workers", "1", "--report", str(report_path)]
    )
    assert ok.exit_code == 0, ok.output
    assert "approximate" in ok.output
    report = json.loads(report_path.read_text())
    assert report["findings"] == []
    assert report["summary"]["records"] == 2 and report["summary"]["token_counts_approximate"] is True

    write_records(data, [example("trajectory_coding", id="again")])
    bad = runner.invoke(
        app, ["validate", "--data-dir", str(data), "--workers", "1", "--report", str(report_path)]
    )
    assert bad.exit_code == 1, bad.output
    assert "trajectories/coding_tasks.jsonl:2" in bad.output
    finding = json.loads(report_path.read_text())["findings"][0]
    assert finding == {
        "file": "trajectories/coding_tasks.jsonl",
        "line": 2,
        "id": "again",
        "check": "duplicate",
        "severity": "error",
        "message": "exact duplicate of trajectories/coding_tasks.jsonl:1",
    }
    assert json.loads(report_path.read_text())["summary"]["by_check"] == {
        "duplicate": {"error": 1, "warning": 0}
    }


@pytest.mark.parametrize(
    "args",
    [
        ["--data-dir", "/nonexistent/data"],
        ["--data-dir", ".", "--target", "trajectories=3"],
        ["--data-dir", ".", "--decontaminate", "/nonexistent/bench.jsonl"],
        ["--data-dir", ".", "--tokenizer", "/nonexistent/tokenizer"],
        ["--data-dir", ".", "--max-tokens", "0"],
    ],
)
def test_cli_usage_errors_exit_2_without_traceback(args):
    result = CliRunner().invoke(app, ["validate", *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_fix_writes_clean_data_and_every_rejected_record(tmp_path, broken):
    data = broken
    secret = example("reasoning_problem_solving")
    secret["messages"][0]["content"] += " My key is AKIAZ3MSQ4XK7WJ2PL6N, mail me at jane.doe@acme-corp.io."
    unverified = example("trajectory_coding", outcome={"verified": False, "verifier": "tests"})
    write_records(data, [secret, unverified])
    out = tmp_path / "clean"
    result = CliRunner().invoke(
        app, ["validate", "--data-dir", str(data), "--workers", "1", "--fix", str(out), "--no-near-dup"]
    )
    assert result.exit_code == 1, result.output
    kept = [
        json.loads(line)
        for p in sorted(out.rglob("*.jsonl"))
        if "rejected" not in p.parts
        for line in p.read_text().splitlines()
    ]
    assert sorted(r["id"] for r in kept) == sorted(
        ["example-trajectory-debugging-0001", "last", secret["id"]]
    )
    redacted = next(r for r in kept if r["id"] == secret["id"])["messages"][0]["content"]
    assert "AKIAZ3MSQ4XK7WJ2PL6N" not in redacted and "jane.doe@acme-corp.io" not in redacted
    assert "[REDACTED" in redacted
    rejected = {
        p.stem: [json.loads(x) for x in p.read_text().splitlines()]
        for p in (out / "rejected").glob("*.jsonl")
    }
    assert sorted(rejected) == ["read", "verified"]
    assert [r["line"] for r in rejected["read"]] == [2, 3, 4, 6]
    assert rejected["verified"][0]["record"]["id"] == unverified["id"]
    assert rejected["verified"][0]["reasons"][0].startswith("verified: outcome.verified is false")
    # the clean folder validates with no error
    assert run(out, near_dup=False).errors == 0


def test_seed_script_is_the_same_command(tmp_path):
    write_records(tmp_path, [example("conversation_coding_sessions")])
    script = ROOT / "utils" / "validate_dataset.py"
    result = subprocess.run(
        [sys.executable, str(script), "--data-dir", str(tmp_path), "--workers", "1"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "1 records in 1 files" in result.stdout


def test_checks_helper_sanity(tmp_path):
    write_records(tmp_path, [example("domain_kubernetes")])
    assert checks(run(tmp_path)) == set()
