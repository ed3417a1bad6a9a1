"""Pairs from recorded episodes and from a teacher's best-of-N samples (a real HTTP server on 127.0.0.1)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from agentic_pipeline.generate.preferences import PrefConfig, generate
from agentic_pipeline.generate.prefs.catalog import CATALOG_DIR
from agentic_pipeline.layout import data_file
from agentic_pipeline.records import TrajectoryRecord, dump_record, parse_record
from agentic_pipeline.sandbox import Sandbox, SandboxUnavailable, check_bwrap
from agentic_pipeline.teacher import TeacherConfig
from agentic_pipeline.tools import TOOL_SPECS, execute_tool

try:
    check_bwrap()
except SandboxUnavailable as exc:  # pragma: no cover - depends on the machine
    pytest.skip(f"bubblewrap sandbox unavailable: {exc}", allow_module_level=True)

PROBLEM = CATALOG_DIR / "efficiency" / "fibonacci"
GOOD = (PROBLEM / "variants" / "iterative.py").read_text()
BAD = GOOD.replace("range(n)", "range(n - 1)")  # off by one: the tests catch it
PROMPT = [
    {"role": "system", "content": "You are a coding agent."},
    {"role": "user", "content": (PROBLEM / "task.md").read_text().strip()},
]


def episode(tmp_path: Path, name: str, code: str, look_first: bool) -> TrajectoryRecord:
    """A real episode: each call executed in the sandbox; the outcome is the real test run."""
    workspace = tmp_path / name
    workspace.mkdir()
    (workspace / "test_fib.py").write_text((PROBLEM / "test_fib.py").read_text())
    sandbox = Sandbox(workspace)
    calls = ([("bash", {"command": "ls"})] if look_first else []) + [
        ("write_file", {"path": "fib.py", "content": code}),
        ("bash", {"command": "python -m pytest -q -p no:cacheprovider"}),
    ]
    messages: list[dict[str, Any]] = list(PROMPT)
    for i, (tool, args) in enumerate(calls):
        result = execute_tool(sandbox, tool, args)
        call = {"id": f"c{i}", "type": "function", "function": {"name": tool, "arguments": args}}
        messages += [{"role": "assistant", "content": f"Step {i}.", "tool_calls": [call]},
                     {"role": "tool", "tool_call_id": f"c{i}", "name": tool, "content": result.content}]  # fmt: skip
    verified = messages[-1]["content"].endswith("[exit code: 0]")
    messages.append(
        {"role": "assistant", "content": "The tests pass." if verified else "The tests still fail."}
    )
    return TrajectoryRecord(
        id=f"traj-{name}", category="coding", tools=TOOL_SPECS, messages=messages,
        outcome={"verified": verified, "verifier": "tests", "detail": messages[-2]["content"][-40:]},
        metadata={"teacher": "test", "task_id": "coding-fib", "usage": {"output_tokens": 10 * len(calls)}},
    )  # fmt: skip


def write(path: Path, records: list[TrajectoryRecord]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(dump_record(r)) + "\n" for r in records))


def test_pairs_from_recorded_episodes(tmp_path: Path) -> None:
    short, long = episode(tmp_path, "short", GOOD, False), episode(tmp_path, "long", GOOD, True)
    failed = episode(tmp_path, "failed", BAD, False)
    assert short.outcome.verified and long.outcome.verified and not failed.outcome.verified
    unfinished = failed.model_copy(update={"id": "traj-cut", "messages": failed.messages[:-1]})
    out = tmp_path / "data"
    write(data_file(out, "trajectory", "coding"), [short, long])
    write(out / "rejected" / "trajectories" / "coding.jsonl", [failed, unfinished])

    stats = generate(PrefConfig(count=2, categories=["code_quality"], out=out, cache=tmp_path / "c.jsonl"))
    assert stats[0].trajectory_pairs == 2 and stats[0].problems_measured == 0
    pairs = [
        parse_record(json.loads(x))
        for x in data_file(out, "preference", "code_quality").read_text().splitlines()
    ]
    for pair in pairs:
        ev = pair.metadata.evidence
        assert ev["chosen"]["outcome"]["verified"] and not ev["rejected"]["outcome"]["verified"]
        assert ev["rejected"]["episode"] == "traj-failed"  # the unfinished episode is never paired
        assert [m.model_dump() for m in pair.prompt] == [m.model_dump() for m in short.messages[:2]]
        assert "1 failed" in pair.rejected[-2].content or "failed" in pair.rejected[-2].content

    [eff] = generate(PrefConfig(count=1, categories=["efficiency"], out=out, cache=tmp_path / "c.jsonl"))
    assert eff.trajectory_pairs == 1
    [pair] = [
        parse_record(json.loads(x))
        for x in data_file(out, "preference", "efficiency").read_text().splitlines()
    ]
    ev = pair.metadata.evidence
    assert (ev["chosen"]["episode"], ev["rejected"]["episode"]) == ("traj-short", "traj-long")
    assert ev["margin"] == 1.0 and ev["chosen"]["tool_calls"] == 2 and ev["rejected"]["tool_calls"] == 3


class _Teacher(BaseHTTPRequestHandler):
    """OpenAI chat completions: each answer writes the next scripted implementation."""

    codes: list[str] = []
    served = 0

    def do_POST(self) -> None:  # noqa: N802 - the http.server interface
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        code = self.codes[type(self).served % len(self.codes)]
        type(self).served += 1
        args = json.dumps({"path": "settings.py", "content": code})
        reply = {
            "id": f"chatcmpl-{self.served}", "object": "chat.completion", "created": 0, "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
                "role": "assistant", "content": f"Sample {self.served}: writing settings.py.",
                "tool_calls": [{"id": f"call_{self.served}", "type": "function",
                                "function": {"name": "write_file", "arguments": args}}]}}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
        }  # fmt: skip
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


def test_teacher_best_of_n_is_ordered_by_measurement(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    variants = CATALOG_DIR / "code_quality" / "parse_settings" / "variants"
    clean, smelly = (variants / "clean_parser.py").read_text(), (variants / "smelly_parser.py").read_text()
    # the teacher's own versions (not byte-identical to the catalogue's); the repeat is not a new candidate
    clean, smelly = f"# by the teacher\n{clean}", f"# by the teacher\n{smelly}"
    _Teacher.codes, _Teacher.served = [smelly, clean, smelly], 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Teacher)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    teacher = TeacherConfig(spec="openai:scripted", base_url=f"http://127.0.0.1:{server.server_port}/v1")
    try:
        config = PrefConfig(
            count=50, categories=["code_quality"], out=tmp_path, cache=tmp_path / "c.jsonl", problems=["parse_settings"],
            samples=3,
        )  # fmt: skip
        with teacher.open(tmp_path) as opened:
            [stats] = generate(config, teacher=opened)
            assert opened.ledger is not None and opened.ledger.totals().requests == 3  # every call booked
        # a re-run to a higher count takes the stored samples: the teacher is not asked (or paid) again
        config.count = 60
        with teacher.open(tmp_path) as opened:
            [again] = generate(config, teacher=opened)
            assert opened.ledger is not None and opened.ledger.totals().requests == 3
    finally:
        server.shutdown()
    assert _Teacher.served == 3 and stats.teacher_pairs == 1 and stats.kept_pairs == 2
    assert again.written == 10 and again.teacher_pairs == 1 and _Teacher.served == 3
    lines = data_file(tmp_path, "preference", "code_quality").read_text().splitlines()
    taught = [
        r
        for r in map(lambda x: parse_record(json.loads(x)), lines)
        if r.metadata.teacher == "openai:scripted"
    ]
    assert taught
    for record in taught:
        ev = record.metadata.evidence
        assert ev["claim"] == "ordered by measurement" and ev["chosen"]["origin"] == "openai:scripted"
        assert record.chosen[0].tool_calls[0].function.arguments["content"] == clean
        assert record.chosen[0].content == "Sample 2: writing settings.py."  # the teacher's own words
        assert record.rejected[0].content == "Sample 1: writing settings.py."
