"""Every validator check: a record that trips it and one that does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from validate_helpers import ROOT, checks, example, run, write_records

from agentic_pipeline.curate import balance, secrets


def _one(tmp_path, record, **options):
    write_records(tmp_path, [record])
    report = run(tmp_path, **options)
    return report, checks(report)


def _traj(**changes):
    return example("trajectory_debugging", **changes)


def _msgs(record):
    return record["messages"]


@pytest.mark.parametrize(
    "name", ["trajectory_debugging", "preference_safety", "conversation_coding_sessions"]
)
def test_valid_records_have_no_finding(tmp_path, name):
    report, found = _one(tmp_path, example(name))
    assert found == set(), report.findings


def test_schema_error_names_the_field(tmp_path):
    record = _traj()
    del record["outcome"]
    report, found = _one(tmp_path, record)
    assert found == {"schema"}
    f = report.findings[0]
    assert (f.file, f.line, f.id) == ("trajectories/debugging_tasks.jsonl", 1, record["id"])
    assert "outcome" in f.message


def test_kind_in_the_wrong_folder_is_a_schema_error(tmp_path):
    path = tmp_path / "reasoning" / "problem_solving.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(_traj()) + "\n")
    report = run(tmp_path)
    assert checks(report) == {"schema"} and "folder" in report.findings[0].message


def test_role_order(tmp_path):
    record = _traj()
    _msgs(record).insert(2, {"role": "user", "content": "And be quick."})
    assert "role_order" in _one(tmp_path, record)[1]


def test_tool_result_for_an_unknown_call(tmp_path):
    record = _traj()
    _msgs(record)[3]["tool_call_id"] = "call_99"
    report, found = _one(tmp_path, record)
    assert "tool_results" in found
    assert "call_99" in next(f.message for f in report.findings if f.check == "tool_results")


def test_tool_call_without_result(tmp_path):
    record = _traj()
    del _msgs(record)[3]  # the result of call_1
    assert "tool_results" in _one(tmp_path, record)[1]


def test_unknown_tool_name(tmp_path):
    record = _traj()
    _msgs(record)[2]["tool_calls"][0]["function"]["name"] = "run_shell"
    _msgs(record)[3]["name"] = "run_shell"
    report, found = _one(tmp_path, record)
    assert "tool_names" in found


def test_arguments_against_the_tool_schema(tmp_path):
    record = _traj()
    _msgs(record)[2]["tool_calls"][0]["function"]["arguments"] = {"cmd": "pytest"}
    report, found = _one(tmp_path, record)
    assert "arguments" in found
    assert "command" in next(f.message for f in report.findings if f.check == "arguments")


def test_arguments_of_the_wrong_type(tmp_path):
    record = _traj()
    _msgs(record)[2]["tool_calls"][0]["function"]["arguments"] = {"command": "pytest", "timeout": "soon"}
    assert "arguments" in _one(tmp_path, record)[1]


def test_ends_with_a_pending_call(tmp_path):
    record = _traj()
    del _msgs(record)[-2:]  # the finish result and the final answer
    assert "final_turn" in _one(tmp_path, record)[1]


def test_ends_with_a_tool_turn(tmp_path):
    record = _traj()
    del _msgs(record)[-1]
    assert "final_turn" in _one(tmp_path, record)[1]


def test_empty_assistant_turn(tmp_path):
    record = _traj()
    _msgs(record).insert(-1, {"role": "user", "content": "Anything else?"})
    _msgs(record).insert(-2, {"role": "assistant", "content": "  "})
    found = _one(tmp_path, record)[1]
    assert "empty_assistant" in found


def test_unverified_trajectory(tmp_path):
    record = _traj(outcome={"verified": False, "verifier": "tests", "detail": "1 failed, 13 passed"})
    report, found = _one(tmp_path, record)
    assert found == {"verified"}
    assert "1 failed" in report.findings[0].message


def test_preference_identical_sides(tmp_path):
    record = example("preference_code_quality")
    record["rejected"] = record["chosen"]
    assert "preference" in _one(tmp_path, record)[1]


def test_preference_side_repeating_the_prompt(tmp_path):
    record = example("preference_code_quality")
    record["chosen"] = record["prompt"] + record["chosen"]
    assert "preference" in _one(tmp_path, record)[1]


def test_render_failure_is_a_finding(tmp_path):
    record = example("reasoning_problem_solving")
    record["messages"][1]["content"] = None  # no text and no tool call: the template cannot print it
    report, found = _one(tmp_path, record)
    assert {"render", "empty_assistant"} <= found


def test_length_over_max_tokens(tmp_path):
    report, found = _one(tmp_path, _traj(), max_tokens=200)
    assert found == {"length"}
    assert "--max-tokens 200" in report.findings[0].message
    assert run(tmp_path, max_tokens=100_000).findings == []


def test_zero_trainable_tokens(tmp_path):
    record = example("domain_kubernetes")
    record["messages"][1]["content"] = ""
    report, found = _one(tmp_path, record)
    assert "trainable" in found
    assert report.summary["balance"]["domain"]["categories"]["kubernetes"]["count"] == 1


def test_exact_duplicate_across_files_after_normalisation(tmp_path):
    a = example("reasoning_problem_solving")
    b = example("reasoning_problem_solving", id="copy", category="tradeoff_analysis")
    b["messages"][1]["content"] = "  " + b["messages"][1]["content"].upper().replace(" ", "   ") + " "
    write_records(tmp_path, [a, b])
    report = run(tmp_path)
    assert checks(report) == {"duplicate"}
    f = report.findings[0]
    assert (f.file, f.line, f.id) == ("reasoning/tradeoff_analysis.jsonl", 1, "copy")
    assert "reasoning/problem_solving.jsonl:1" in f.message


def test_near_duplicate(tmp_path):
    a = example("reasoning_architecture_decisions")
    b = example("reasoning_architecture_decisions", id="near")
    b["messages"][1]["content"] = b["messages"][1]["content"].replace(
        "Decision: not yet.", "Decision: no, not yet."
    )
    c = example("reasoning_tradeoff_analysis")
    write_records(tmp_path, [a, b, c])
    report = run(tmp_path)
    assert checks(report) == {"near_duplicate"}
    assert report.findings[0].id == "near" and report.findings[0].severity == "warning"
    assert run(tmp_path, near_dup=False).findings == []


def test_secret_in_a_tool_output(tmp_path):
    record = _traj()
    _msgs(record)[3]["content"] += "\nAWS_ACCESS_KEY_ID=AKIAZ3MSQ4XK7WJ2PL6N\n"
    report, found = _one(tmp_path, record)
    assert found == {"secrets"}
    assert report.findings[0].severity == "error" and "AWS" in report.findings[0].message


@pytest.mark.parametrize(
    "secret",
    [
        "sk-ant-api03-" + "Xy7_Qw9-Lp2Zr5Tv8Nb4Mk1Hj6Gf3Ds0Aa" * 2,
        "sk-proj-" + "Tq8Wm2Zr5Xv9Bn3Lk7Hj4Gf1Ds6Aa0Pq" * 2,
        "hf_" + "QwErTyUiOpAsDfGhJkLzXcVbNmQwErTyUi",
        "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
        "github_pat_11ABCDEFG0" + "x" * 60,
        "glpat-" + "Xk29dLq8ZrTv7NpW3hYc",
        "xoxb-2718281828-3141592653-Zx9Yw8Vu7Ts6Rq5Po4Nm",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----",
        '{"type": "service_account", "private_key_id": "' + "3f" * 20 + '"}',
        "postgres://deploy:Hunter2-prod@db.internal:5432/app",
    ],
)
def test_secret_patterns(secret):
    hits = secrets.scan(f"config:\n{secret}\nend")
    assert any(h.secret for h in hits), secret
    redacted = secrets.redact({"content": f"x {secret} y"}, hits)["content"]
    assert "[REDACTED" in redacted
    assert all(h.value not in redacted for h in hits)


def test_ordinary_code_and_examples_have_no_secret():
    from agentic_pipeline import render

    texts = [Path(render.__file__).read_text()] + [
        p.read_text() for p in (ROOT / "schemas" / "examples").glob("*")
    ]
    assert [h for text in texts for h in secrets.scan(text)] == []


def test_email_is_pii_warning_but_reserved_domains_are_not(tmp_path):
    record = example("reasoning_problem_solving")
    record["messages"][0]["content"] += " Contact jane.doe@acme-corp.io or ops@example.com."
    report, found = _one(tmp_path, record)
    assert found == {"pii"}
    assert report.findings[0].severity == "warning"
    assert "j***@acme-corp.io" in report.findings[0].message
    assert "example.com" not in report.findings[0].message


def test_decontamination(tmp_path):
    record = example("reasoning_tradeoff_analysis")
    answer = record["messages"][1]["content"]
    bench = tmp_path / "bench" / "benchmark.jsonl"
    bench.parent.mkdir()
    bench.write_text(json.dumps({"question": "unrelated text", "answer": answer[100:400]}) + "\n")
    clean = tmp_path / "bench" / "clean.txt"
    clean.write_text("A completely different benchmark about sorting algorithms and their complexity. " * 5)
    data = tmp_path / "data"
    write_records(data, [record])
    report = run(data, decontaminate=[bench])
    assert checks(report) == {"contamination"}
    assert "13-gram" in report.findings[0].message
    assert run(data, decontaminate=[clean]).findings == []


def test_balance_against_targets(tmp_path):
    write_records(
        tmp_path, [example("trajectory_coding"), example("trajectory_devops"), example("domain_kubernetes")]
    )
    report = run(tmp_path, targets=balance.parse_targets(["trajectory=4"]))
    kinds = report.summary["balance"]
    assert kinds["trajectory"]["count"] == 2 and kinds["trajectory"]["target"] == 4
    assert kinds["trajectory"]["share_of_target"] == 0.5
    assert kinds["reasoning"] == {"count": 0, "target": 20000, "share_of_target": 0.0, "categories": {}}
    stats = kinds["trajectory"]["categories"]["coding"]["tokens"]
    assert stats["mean"] == stats["median"] == stats["p95"] == stats["max"] > 100
    with pytest.raises(ValueError, match="KIND=N"):
        balance.parse_targets(["trajectories=5"])


def test_workers_give_the_same_findings_as_one_process(tmp_path):
    records = [
        example("trajectory_debugging"),
        example("trajectory_coding"),
        example("reasoning_problem_solving"),
    ]
    bad = example("trajectory_devops", outcome={"verified": False, "verifier": "checker"})
    write_records(tmp_path, records + [bad, example("trajectory_coding", id="dup")])
    one = run(tmp_path, workers=1)
    two = run(tmp_path, workers=2, chunk_bytes=4096)
    assert [(f.file, f.line, f.check) for f in one.findings] == [
        (f.file, f.line, f.check) for f in two.findings
    ]
    assert {f.check for f in one.findings} == {"verified", "duplicate"}
    assert one.summary["balance"] == two.summary["balance"]


def test_secret_in_shared_tool_definitions_is_found_in_every_record(tmp_path):
    records = [example("trajectory_debugging"), example("trajectory_coding")]
    for r in records:
        r["tools"][0]["function"]["description"] += " Token: ghp_" + "Zq7Xw3Lk9Mv2Nb8Hj4Gf6Ds1Aa5Pq0Rt3Yu7"
    write_records(tmp_path, records)
    report = run(tmp_path)
    assert [(f.file, f.check) for f in report.findings] == [
        ("trajectories/coding_tasks.jsonl", "secrets"),
        ("trajectories/debugging_tasks.jsonl", "secrets"),
    ]
