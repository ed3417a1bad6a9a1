"""Task synthesis against a real OpenAI-protocol server on 127.0.0.1 that plays the teacher with projects
written here: a good one becomes valid tasks the oracle solves; broken ones are rejected with the reason;
a second run resumes without asking for the first project again."""

from __future__ import annotations

import asyncio
import json
import tempfile
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from teacher_server import Handler, TeacherServer
from typer.testing import CliRunner

from agentic_pipeline.cli import app
from agentic_pipeline.generate.synthesize import SynthConfig, SynthCounts, state_dir, synthesize
from agentic_pipeline.llm.ledger import Ledger
from agentic_pipeline.sandbox import Limits, Sandbox
from agentic_pipeline.tasks.catalog import load_task_file
from agentic_pipeline.tasks.synthesize import (
    Acceptance,
    Rejected,
    check_path,
    parse_files,
    topic,
    topic_count,
)
from agentic_pipeline.teacher import TeacherConfig

MODULE = '''"""Run-length encoding of strings: ``"aaab"`` <-> ``"3a1b"``, and small helpers around runs."""

from __future__ import annotations


class RunLengthError(ValueError):
    """Raised when a text cannot be encoded or an encoded string is malformed."""


def runs(text: str) -> list[tuple[str, int]]:
    """Split ``text`` into (character, count) runs of equal consecutive characters."""
    out: list[tuple[str, int]] = []
    for ch in text:
        if out and out[-1][0] == ch:
            out[-1] = (ch, out[-1][1] + 1)
        else:
            out.append((ch, 1))
    return out


def encode(text: str) -> str:
    """Encode ``text`` as count+character pairs: ``"aaab"`` -> ``"3a1b"``. Digits raise RunLengthError."""
    if any(ch.isdigit() for ch in text):
        raise RunLengthError("digits cannot be run-length encoded")
    return "".join(f"{count}{ch}" for ch, count in runs(text))


def decode(encoded: str) -> str:
    """Decode ``"3a1b"`` to ``"aaab"``; a missing or trailing count raises RunLengthError."""
    out, digits = [], ""
    for ch in encoded:
        if ch.isdigit():
            digits += ch
            continue
        if not digits:
            raise RunLengthError(f"missing count before {ch!r}")
        out.append(ch * int(digits))
        digits = ""
    if digits:
        raise RunLengthError("trailing count without a character")
    return "".join(out)


def longest_run(text: str) -> tuple[str, int]:
    """The character and length of the longest run (the first on ties); ("", 0) for empty text."""
    best = ("", 0)
    for ch, count in runs(text):
        if count > best[1]:
            best = (ch, count)
    return best


def compression_ratio(text: str) -> float:
    """Length of the encoding divided by the length of ``text`` (0.0 for empty text)."""
    if not text:
        return 0.0
    return len(encode(text)) / len(text)
'''

TESTS = """import pytest

from rlekit import RunLengthError, compression_ratio, decode, encode, longest_run, runs


def test_runs_groups_equal_neighbours():
    assert runs("aabccc") == [("a", 2), ("b", 1), ("c", 3)]


def test_runs_of_empty_text():
    assert runs("") == []


def test_encode():
    assert encode("aaab") == "3a1b"


def test_encode_rejects_digits():
    with pytest.raises(RunLengthError):
        encode("a1")


def test_decode():
    assert decode("3a1b") == "aaab"


def test_decode_multi_digit_counts():
    assert decode("12x") == "x" * 12


def test_decode_errors():
    with pytest.raises(RunLengthError):
        decode("ab")
    with pytest.raises(RunLengthError):
        decode("3a2")


def test_round_trip():
    for text in ("", "a", "abba", "zzzzzzzzzzzzz"):
        assert decode(encode(text)) == text


def test_longest_run():
    assert longest_run("abbccc") == ("c", 3)
    assert longest_run("aabb") == ("a", 2)
    assert longest_run("") == ("", 0)


def test_compression_ratio():
    assert compression_ratio("aaaa") == 0.5
    assert compression_ratio("ab") == 2.0
    assert compression_ratio("") == 0.0
"""


def reply(module: str = MODULE, tests: str = TESTS, module_path: str = "rlekit.py") -> str:
    return (
        "Here is the library.\n\n"
        f"FILE: {module_path}\n```python\n{module}```\n\n"
        f"### FILE: `tests/test_rlekit.py`\n```python\n{tests}```\n"
    )


GOOD = reply()
FAILING = reply(tests=TESTS.replace('encode("aaab") == "3a1b"', 'encode("aaab") == "3a1b!"'))
NUMPY = reply(module=MODULE.replace("from __future__ import annotations\n", "import numpy as np\n"))
ESCAPING = reply(module_path="../rlekit.py")


class ProjectHandler(Handler):
    """Chat completions answered with the server's scripted replies, in order (the last one repeats)."""

    def do_POST(self) -> None:
        body = self._body()
        server = self.server
        with server.lock:
            server.requests.append(body)
            text = server.replies[min(len(server.requests), len(server.replies)) - 1]
        completion = {
            "id": f"chatcmpl_{len(server.requests):04d}",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": 900, "completion_tokens": len(text) // 4, "total_tokens": 900},
        }
        self._json(200, completion)


class ProjectServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, replies: list[str]) -> None:
        super().__init__(("127.0.0.1", 0), ProjectHandler)
        self.replies, self.requests, self.lock = list(replies), [], threading.Lock()
        self.url = f"http://127.0.0.1:{self.server_address[1]}/v1"

    def __enter__(self) -> ProjectServer:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


@pytest.fixture(autouse=True)
def fresh_cache(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("AGENTIC_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def run_synth(server: ProjectServer, out: Path, **kw) -> SynthCounts:
    """``synthesize`` with a teacher opened as the command opens it (its ledger in the run folder)."""
    teacher = TeacherConfig(spec="openai:scripted", base_url=server.url)
    with teacher.open(state_dir(out), api_key="sk-test-0123456789", max_retries=0) as opened:
        return asyncio.run(synthesize(SynthConfig(out=out, **kw), opened))


def rows(out: Path) -> list[dict]:
    path = state_dir(out) / "projects.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_good_project_becomes_valid_tasks_the_oracle_solves(tmp_path: Path) -> None:
    out = tmp_path / "synth.jsonl"
    with ProjectServer([GOOD]) as server:
        args = ["tasks", "synthesize", "--teacher", "openai:scripted", "--base-url", server.url, "--count", "1",
                "--out", str(out), "--per-project", "2", "--workers", "2"]  # fmt: skip
        result = CliRunner().invoke(app, args, env={"OPENAI_API_KEY": "sk-test-0123456789"})
        assert result.exit_code == 0, result.output
        assert len(server.requests) == 1
        prompt = server.requests[0]["messages"][-1]["content"]
        assert topic(0, 0).subject in prompt and "FILE: " in prompt
    text = " ".join(result.output.split())
    assert "projects accepted: 1 (1 this run) of 1" in text and "coding tasks: 2" in text
    tasks = load_task_file(out)
    assert sorted(t.family for t in tasks) == ["coding", "coding", "debugging", "debugging"]
    (row,) = [r for r in rows(out) if r["status"] == "accepted"]
    root = Path(row["root"])
    assert (root / "rlekit.py").read_text() == MODULE and row["tests_passed"] == 10
    assert all(task.base == str(root) and task.meta["synth"]["index"] == 0 for task in tasks)
    for task in (tasks[0], tasks[-1]):  # one per family (sorted by id: coding-..., debugging-...)
        # Independently of the synthesizer: the task's own check fails at the start.
        with tempfile.TemporaryDirectory() as tmp:
            ws = task.materialize(Path(tmp) / "ws")
            assert Sandbox(ws, Limits(timeout_s=60)).run(task.verifier.test_cmd).exit_code != 0
    data = tmp_path / "data"
    gen = CliRunner().invoke(
        app, ["generate", "trajectories", "--tasks", str(out), "--category", "coding", "--count", "2",
              "--out", str(data), "--workers", "2"],
    )  # fmt: skip
    assert gen.exit_code == 0, gen.output
    records = [json.loads(x) for x in (data / "trajectories" / "coding_tasks.jsonl").read_text().splitlines()]
    assert len(records) == 2 and all(r["outcome"]["verified"] for r in records)
    assert {r["metadata"]["task_id"] for r in records} <= {t.id for t in tasks}


def test_broken_projects_are_rejected_with_their_reason_and_nothing_is_written(
    tmp_path: Path, fresh_cache: Path
) -> None:
    out = tmp_path / "synth.jsonl"
    with ProjectServer([FAILING, NUMPY, ESCAPING]) as server:
        state = run_synth(server, out, count=1, workers=1, retries=0, max_topics=3)
    assert state.kept == 0 and state.rejected == 3
    assert state.reasons == {"tests": 1, "imports": 1, "paths": 1}
    reasons = [r["reason"] for r in rows(out)]
    assert "do not pass on the original" in reasons[0]
    assert "imports `numpy`" in reasons[1] and "rlekit.py line 3" in reasons[1]
    assert "leaves the project folder" in reasons[2]
    assert out.read_text() == ""
    assert not [p for p in (fresh_cache / "synth").glob("*") if not p.name.startswith(".")]
    assert [Path(r["reply"]).read_text() for r in rows(out)] == [
        x.strip() for x in (FAILING, NUMPY, ESCAPING)
    ]


def test_a_rejected_reply_is_sent_back_once_and_a_second_run_resumes_without_asking_again(
    tmp_path: Path,
) -> None:
    out = tmp_path / "synth.jsonl"

    def run(server: ProjectServer, count: int):
        return run_synth(server, out, count=count, families=("coding",), per_family=1)

    with ProjectServer([FAILING, GOOD]) as server:
        first = run(server, 1)
        assert first.kept == 1 and first.rejected == 0 and first.tasks == {"coding": 1}
        feedback = server.requests[1]["messages"]
        assert [m["role"] for m in feedback] == ["system", "user", "assistant", "user"]
        assert feedback[2]["content"] == FAILING.strip()
        assert (
            "do not pass on the original code" in feedback[3]["content"]
            and "1 failed" in feedback[3]["content"]
        )
        second = run(server, 2)
        assert second.kept == 2 and second.new_kept == 1 and len(server.requests) == 3
        again = run(server, 2)
        assert again.new_kept == 0 and len(server.requests) == 3
        prompts = [r["messages"][1]["content"] for r in server.requests]
    assert topic(0, 0).subject in prompts[0] and topic(0, 1).subject in prompts[2]
    ids = [t.id for t in load_task_file(out)]
    assert len(ids) == 2 == len(set(ids))
    # A kill after the second project was accepted, before its tasks were written: the re-run writes them, no request.
    log = state_dir(out) / "projects.jsonl"
    log.write_text("".join(line + "\n" for line in log.read_text().splitlines()[:-1]))
    out.write_text(out.read_text().splitlines()[0] + "\n")
    with ProjectServer([GOOD]) as server:
        resumed = run(server, 2)
        assert resumed.new_kept == 0 and server.requests == []
    assert [t.id for t in load_task_file(out)] == ids
    accepted = [r for r in rows(out) if r["status"] == "accepted"]
    assert [(r["index"], r["attempts"]) for r in accepted] == [(0, 2), (1, 1)]


def test_an_anthropic_reply_without_files_is_rejected_and_its_cost_is_in_the_ledger(tmp_path: Path) -> None:
    out = tmp_path / "synth.jsonl"
    with TeacherServer() as server:  # its scripted solver answers a tool-less request with prose, no files
        args = ["tasks", "synthesize", "--teacher", "anthropic:claude-test", "--base-url", server.url,
                "--count", "1", "--max-topics", "1", "--out", str(out)]  # fmt: skip
        result = CliRunner().invoke(app, args, env={"ANTHROPIC_API_KEY": "sk-ant-api03-SYNTHTEST-0123456789"})
        delivered = server.delivered_totals()
    text = " ".join(result.output.split())
    assert result.exit_code == 3, result.output
    assert "projects rejected this run: 1 (parse 1)" in text and "only 0 of 1 projects accepted" in text
    (row,) = rows(out)
    assert row["status"] == "rejected" and "no files found" in row["reason"] and row["attempts"] == 2
    with Ledger(state_dir(out)) as ledger:
        totals = ledger.totals()
    assert totals.requests == 2 == delivered["requests"]
    assert totals.output_tokens == delivered["output_tokens"] and f"{totals.requests:,} requests" in text


def test_offline_synthesis_says_it_needs_a_teacher(tmp_path: Path, monkeypatch) -> None:
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for extra in ([], ["--teacher", "oracle"], ["--teacher", "anthropic:claude-test"]):
        result = CliRunner().invoke(
            app, ["tasks", "synthesize", "--count", "3", "--out", str(tmp_path / "t.jsonl"), *extra]
        )
        text = " ".join(result.output.split())
        assert result.exit_code == 2 and "Traceback" not in text
        assert (
            "needs a" in text
            and "teacher LLM" in text
            and ("--teacher anthropic:MODEL" in text or "set ANTHROPIC_API_KEY" in text)
        )
    assert not list(tmp_path.glob("*.jsonl"))


def test_an_out_file_that_holds_something_else_is_named_and_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "notes.jsonl"
    out.write_text('{"id": "x"}\n')
    args = ["tasks", "synthesize", "--teacher", "openai:m", "--base-url", "http://127.0.0.1:9"]
    result = CliRunner().invoke(
        app, [*args, "--count", "1", "--out", str(out)], env={"OPENAI_API_KEY": "sk-x"}
    )
    text = " ".join(result.output.split())
    assert result.exit_code == 2 and f"{out}:1: not a task record" in text and "Traceback" not in text
    assert out.read_text() == '{"id": "x"}\n'


def test_topics_are_varied_deterministic_and_paths_are_checked() -> None:
    first = [topic(0, i) for i in range(150)]
    assert len({t.subject for t in first}) == 150 and topic_count() >= 3000
    assert [topic(0, i) for i in range(5)] == first[:5] and topic(1, 0) != topic(0, 0)
    round_two = topic(0, 150)
    assert (round_two.subject, round_two.style, round_two.twist) != (
        first[0].subject,
        first[0].style,
        first[0].twist,
    )
    for bad in ("/etc/x.py", "a/../b.py", "C:/x.py", "pkg/x.txt", "a b.py", "a/b/c/d.py"):
        assert check_path(bad), bad
    assert check_path("pkg/core.py") is None and check_path("tests/test_core.py") is None
    files = parse_files('{"files": {"m.py": "x = 1\\n", "tests/test_m.py": "def test(): pass\\n"}}')
    assert files == {"m.py": "x = 1\n", "tests/test_m.py": "def test(): pass\n"}
    assert parse_files("```python tests/test_x.py\nassert 1\n```") == {"tests/test_x.py": "assert 1\n"}
    assert parse_files("```python\n# File: pkg/m.py\nx = 1\n```") == {"pkg/m.py": "x = 1\n"}
    with pytest.raises(Rejected, match="no files found"):
        parse_files("Sure! Here is some code:\n```python\nprint(1)\n```")
    with pytest.raises(Rejected, match="appears twice"):
        parse_files("FILE: a.py\n```\nx\n```\nFILE: a.py\n```\ny\n```")
    assert Acceptance().min_tests == 8
