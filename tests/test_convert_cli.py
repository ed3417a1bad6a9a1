"""agentic convert, command level: the summary, exit codes, the seed's script verbatim, and --expand
(without a teacher it says so; with one it talks to a real OpenAI-compatible server on 127.0.0.1)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

import agentic_pipeline.commands.convert  # noqa: F401  (registers the command)
from agentic_pipeline.commands import app
from agentic_pipeline.records import dump_record, parse_record

REPO = Path(__file__).resolve().parents[1]


def write_jsonl(path: Path, rows: list) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def invoke(*args: str, env: dict | None = None):
    # Wide enough that rich doesn't wrap the long temporary paths the assertions look for.
    return CliRunner().invoke(app, ["convert", *args], env={"COLUMNS": "400", **(env or {})})


def read_jsonl(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()] if path.exists() else []


@pytest.fixture
def data(tmp_path: Path) -> Path:
    root = tmp_path / "data_in"
    write_jsonl(
        root / "devops" / "qa.jsonl",
        [
            {"question": "How do I restart nginx?", "answer": "Run systemctl restart nginx."},
            {"question": "What is a pod?", "answer": "The smallest deployable unit in Kubernetes."},
            {"question": "broken", "answer": ["not", "text"]},
        ],
    )
    write_jsonl(
        root / "devops" / "prefs.jsonl",
        [{"chosen": "\n\nHuman: a\n\nAssistant: b", "rejected": "\n\nHuman: a\n\nAssistant: c"}],
    )
    return root


def test_summary_rejects_and_exit_zero(data, tmp_path):
    out = tmp_path / "data" / "domain"
    result = invoke("--input", str(data), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert "qa.jsonl" in result.output and "preference" in result.output
    assert "1 rows could not be converted" in result.output
    assert len(read_jsonl(out / "devops.jsonl")) == 2
    assert len(read_jsonl(tmp_path / "data" / "preferences" / "devops.jsonl")) == 1
    [reject] = read_jsonl(out / "rejected" / "convert.jsonl")
    assert (reject["line"], reject["reason"]) == (3, "'answer' must be a string, got list")


def test_missing_input_and_nothing_convertible_exit_non_zero(tmp_path):
    result = invoke("--input", str(tmp_path / "nope"), "--output", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "nope: no such file or directory" in result.output and "Traceback" not in result.output

    write_jsonl(tmp_path / "odd" / "odd.jsonl", [{"foo": 1, "bar": 2}])
    (tmp_path / "odd" / "empty.jsonl").write_text("")
    result = invoke("--input", str(tmp_path / "odd"), "--output", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "keys seen: bar, foo" in result.output
    assert "empty file" in result.output
    assert "nothing could be converted" in result.output

    result = invoke("--output", str(tmp_path / "out"))
    assert result.exit_code == 2 and "--input PATH is required" in result.output


def test_list_formats():
    result = invoke("--list-formats")
    assert result.exit_code == 0
    for name in ("alpaca", "sharegpt", "openai", "dolly", "oasst_flat", "preference"):
        assert name in result.output


def test_seed_script_verbatim(data, tmp_path):
    # The seed's command line, run from a project folder with the data one level up.
    work = tmp_path / "project"
    work.mkdir()
    data.rename(tmp_path / "data")
    script = REPO / "converters" / "upgrade_domain_data.py"
    proc = subprocess.run(
        [sys.executable, str(script), "--input", "../data", "--output", "data/domain/"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(read_jsonl(work / "data" / "domain" / "devops.jsonl")) == 2
    assert len(read_jsonl(work / "data" / "preferences" / "devops.jsonl")) == 1


def test_expand_without_teacher_says_so_and_converts(data, tmp_path):
    out = tmp_path / "data" / "domain"
    result = invoke("--input", str(data), "--output", str(out), "--expand")
    assert result.exit_code == 0
    assert "No LLM teacher is configured" in result.output and "nothing will be expanded" in result.output
    records = read_jsonl(out / "devops.jsonl")
    assert len(records) == 2 and not any("expanded_from" in r["metadata"] for r in records)

    # Claude is a teacher for --expand too; without its key that is an error before any work.
    no_key = {"ANTHROPIC_API_KEY": None, "ANTHROPIC_AUTH_TOKEN": None}
    args = ("--input", str(data), "--output", str(out), "--expand", "--teacher")
    result = invoke(*args, "anthropic:claude", env=no_key)
    assert result.exit_code == 2 and "set ANTHROPIC_API_KEY" in result.output
    result = invoke(*args, "gemini:pro")
    assert result.exit_code == 2 and "anthropic:MODEL or openai:MODEL" in result.output


# --- --expand against a real OpenAI-compatible server -------------------------------------------


class ChatServer(ThreadingHTTPServer):
    """Answers /v1/chat/completions: "How do I X?" -> {"instruction": "X", ...}; "garbage" on request."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict] = []


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        self.server.requests.append(
            {"path": self.path, "auth": self.headers.get("authorization"), "body": body}
        )
        question = re.search(
            r"Question:\n(.*)\n\nReference answer:", body["messages"][-1]["content"], re.S
        ).group(1)
        task = re.sub(r"^how (do|can) i ", "", question.rstrip("?"), flags=re.I)
        if "garbage" in question:
            content = "I cannot answer in JSON, sorry."
        else:
            content = json.dumps(
                {
                    "instruction": task[0].upper() + task[1:] + ".",
                    "reasoning": "First check the service.",
                    "answer": "Done.",
                }
            )
        reply = {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [
                {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}
            ],
            "usage": {"prompt_tokens": 30, "completion_tokens": 12, "total_tokens": 42},
        }
        raw = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def chat_server():
    server = ChatServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_expand_with_an_openai_compatible_teacher(data, tmp_path, chat_server):
    write_jsonl(
        data / "devops" / "more.jsonl", [{"question": "How can I garbage collect?", "answer": "gc.collect()"}]
    )
    out = tmp_path / "data" / "domain"
    base = f"http://127.0.0.1:{chat_server.server_port}/v1"
    args = [
        "--input",
        str(data),
        "--output",
        str(out),
        "--expand",
        "--teacher",
        "openai:tiny",
        "--base-url",
        base,
    ]
    result = invoke(*args, env={"OPENAI_API_KEY": "sk-test"})
    assert result.exit_code == 0, result.output
    assert "1 of 2 how-to examples expanded with openai:tiny; 1 failed" in result.output
    assert {r["path"] for r in chat_server.requests} == {"/v1/chat/completions"}
    assert chat_server.requests[0]["auth"] == "Bearer sk-test"

    records = read_jsonl(out / "devops.jsonl")
    [expanded] = [r for r in records if "expanded_from" in r["metadata"]]
    original = next(r for r in records if r["id"] == expanded["metadata"]["expanded_from"])
    assert original["messages"][0]["content"] == "How do I restart nginx?"
    assert expanded["messages"] == [
        {"role": "user", "content": "Restart nginx."},
        {"role": "assistant", "content": "First check the service.\n\nDone."},
    ]
    assert expanded["metadata"]["teacher"] == "openai:tiny"
    assert expanded["metadata"]["usage"] == {"requests": 1, "input_tokens": 30, "output_tokens": 12}
    assert orjson.dumps(dump_record(parse_record(expanded))) == orjson.dumps(expanded)
    failed = [
        r for r in read_jsonl(out / "rejected" / "convert.jsonl") if r["reason"].startswith("expansion")
    ]
    assert len(failed) == 1 and "no JSON object" in failed[0]["reason"]

    # A rerun pays only for what failed: the nginx answer comes from the cache.
    asked = len(chat_server.requests)
    result = invoke(*args, env={"OPENAI_API_KEY": "sk-test"})
    assert result.exit_code == 0
    assert len(chat_server.requests) == asked + 1
    assert len([r for r in read_jsonl(out / "devops.jsonl") if "expanded_from" in r["metadata"]]) == 1


def test_the_seeds_convert_then_validate_passes_with_rejected_lines(tmp_path):
    """Lines convert could not read go to data/domain/rejected/convert.jsonl; they are not records, so
    `validate --data-dir data/` (the seed's next step) must not count them as broken ones."""
    import agentic_pipeline.commands.validate  # noqa: F401  (registers the command)

    data = tmp_path / "data"
    src = tmp_path / "in" / "python.jsonl"
    rows = [
        {"instruction": "Reverse a list in Python.", "input": "", "output": "Use `items[::-1]`."},
        {
            "instruction": "Sort a dict by value.",
            "input": "",
            "output": "`sorted(d.items(), key=lambda kv: kv[1])`",
        },
    ]
    write_jsonl(src, rows)
    src.write_text(src.read_text() + '{"instruction": "truncated\n')
    result = invoke("--input", str(src), "--output", str(data / "domain"))
    assert result.exit_code == 0, result.output
    assert read_jsonl(data / "domain" / "rejected" / "convert.jsonl")
    checked = CliRunner().invoke(app, ["validate", "--data-dir", str(data)], env={"COLUMNS": "400"})
    assert checked.exit_code == 0, checked.output
    assert "2 records in 1 files" in checked.output and "0 errors" in checked.output
