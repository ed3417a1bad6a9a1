"""Real episodes with an LLM teacher: the project's runner and agent loop, the real sandbox, a real
verifier, and a local server speaking the Anthropic / OpenAI protocol with injected faults.

The task is tiny and made here: the verifier wants ``checked.txt`` to contain ``checked``; the
scripted solver first runs ``env`` (the sandbox must not show it the API key), then writes the file,
then calls ``finish``.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from teacher_server import TeacherServer

from agentic_pipeline.agent import RunConfig
from agentic_pipeline.generate.trajectories import GenerateConfig, generate
from agentic_pipeline.tasks.base import Check, Edit, Solution, Task, Verifier
from agentic_pipeline.teacher import TeacherConfig

SECRET = "sk-ant-api03-TESTSECRET-0123456789abcdef"
COMMANDS = ("env | sort; ls -a", "echo checked > checked.txt && cat checked.txt")


def marker_task(n: int) -> Task:
    return Task(
        id=f"test-marker-{n}",
        family="devops",
        source="tests",
        instruction=f"Create checked.txt containing the word checked (task {n}).",
        base=None,
        files={"README.md": f"task {n}\n"},
        verifier=Verifier(
            checks=[Check(kind="command", name="marker", cmd="cat checked.txt", expect="checked")]
        ),
        solution=Solution(kind="edits", edits=[Edit(path="checked.txt", old="", new="checked\n")]),
    )


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTIC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET.replace("sk-ant-api03", "sk-proj"))


@pytest.mark.parametrize(
    ("teacher", "path"), [("anthropic:claude-sonnet-5-5", ""), ("openai:qwen2.5-coder-32b-instruct", "/v1")]
)
def test_runner_drives_real_episodes_through_faults_and_books_every_request(
    teacher: str, path: str, tmp_path: Path
) -> None:
    out = tmp_path / "data"
    with TeacherServer(faults=["429", "ok", "500", "drop", "malformed"], slow_seconds=1.0) as server:
        server.state.commands = COMMANDS
        spec = TeacherConfig(spec=teacher, base_url=server.url + path, request_timeout=5.0)
        with spec.open(out, max_retries=3) as opened:
            config = GenerateConfig(
                count=3,
                categories=["devops"],
                out=out,
                workers=3,
                tasks=[marker_task(n) for n in range(3)],
                run=RunConfig(command_timeout_s=20),
            )
            states = asyncio.run(generate(config, opened))
            ledger = opened.ledger
            assert ledger is not None
            delivered = server.delivered_totals()
            totals = ledger.totals()
            assert totals.requests == delivered["requests"]
            assert (totals.input_tokens, totals.output_tokens) == (
                delivered["input_tokens"],
                delivered["output_tokens"],
            )
            assert sorted(ledger.request_ids()) == sorted(server.state.delivered)
            # every request is booked to the episode of its task, and each episode is finished
            assert sum(ledger.episode_usd(f"test-marker-{n}") for n in range(3)) == pytest.approx(
                ledger.total_usd()
            )
            assert set(ledger.finished()) == {f"test-marker-{n}" for n in range(3)}
        assert all("TESTSECRET" in header for header in server.state.auth_headers)  # the SDK read the env key
    assert states[0].kept == 3 and states[0].rejected == 0
    kept = (out / "trajectories" / "devops_tasks.jsonl").read_text()
    records = [json.loads(line) for line in kept.splitlines()]
    assert sorted(r["metadata"]["task_id"] for r in records) == [f"test-marker-{n}" for n in range(3)]
    for record in records:
        assert record["outcome"]["verified"] and record["metadata"]["teacher"] == teacher
        observations = [m["content"] for m in record["messages"] if m["role"] == "tool"]
        env_output = next(o for o in observations if not o.startswith("Error: this call"))
        assert "PATH=" in env_output  # the observation is the sandbox's real `env`
    # The key was in this process's environment and in every request's headers, never in the data.
    assert "sk-ant-api03" not in kept and "sk-proj" not in kept and "TESTSECRET" not in kept


def test_a_rejected_key_quoted_by_the_server_never_reaches_the_rejected_record(tmp_path: Path) -> None:
    out = tmp_path / "data"
    with TeacherServer(faults=["401"]) as server:
        spec = TeacherConfig(spec="anthropic:claude-sonnet-5-5", base_url=server.url, request_timeout=5.0)
        config = GenerateConfig(count=1, categories=["devops"], out=out, workers=1, tasks=[marker_task(0)])
        with spec.open(out, max_retries=0) as opened:
            states = asyncio.run(generate(config, opened))
    assert states[0].rejected == 1
    rejected = (out / "rejected" / "trajectories" / "devops.jsonl").read_text()
    record = json.loads(rejected)
    assert record["outcome"]["exit_status"] == "policy_error"
    assert "invalid credential" in record["metadata"]["exit_detail"]  # the reason is kept...
    assert "TESTSECRET" not in rejected  # ...the key it quoted is not
