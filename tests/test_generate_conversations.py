"""Multi-turn coding sessions in a real sandbox: verified requests, the validator, rejection, resume."""

from __future__ import annotations

import asyncio
import json
import random
import re
import shutil
from pathlib import Path

import pytest
from teacher_server import TeacherServer

from agentic_pipeline.agent import RunConfig
from agentic_pipeline.curate.pipeline import Options, validate
from agentic_pipeline.generate.conversations import (
    CATEGORY,
    SESSION_SYSTEM_PROMPT,
    SessionConfig,
    generate_sessions,
    parse_turns,
)
from agentic_pipeline.layout import data_file, rejected_file
from agentic_pipeline.records import ConversationRecord
from agentic_pipeline.tasks.sources import project_sources
from agentic_pipeline.teacher import TeacherConfig

PROJECT = "project:graphkit"


def source():
    return [s for s in project_sources() if s.name == PROJECT]


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def test_a_two_request_session_is_verified_and_valid(tmp_path: Path) -> None:
    config = SessionConfig(count=1, out=tmp_path, workers=1, turns=(2, 2), sources=source())
    state = asyncio.run(generate_sessions(config))
    kept = lines(data_file(tmp_path, "conversation", "coding_sessions"))
    assert state.kept == 1 and len(kept) == 1
    record = ConversationRecord.model_validate(kept[0])
    users = [m for m in record.messages if m.role == "user"]
    assert len(users) == 2 and record.outcome.verified
    requests = record.metadata.requests
    assert [r["verified"] for r in requests] == [True, True]
    assert len({r["task_id"] for r in requests}) == 2
    assert "finish" not in {t.function.name for t in record.tools}
    # Each request ends with a plain-text assistant answer right before the next user turn.
    for i, m in enumerate(record.messages):
        if m.role == "user" and i > 1:
            prev = record.messages[i - 1]
            assert prev.role == "assistant" and not prev.tool_calls and prev.content
    # The second request's problem was shown by a real run (its failing output is in the user message
    # when it is a bug), and a tool ran after it: observations are real sandbox output.
    second = record.messages.index(users[1])
    assert any(m.role == "tool" and "[exit code:" in (m.content or "") for m in record.messages[second:])

    clean = tmp_path / "clean"
    (clean / "conversations").mkdir(parents=True)
    shutil.copy(data_file(tmp_path, "conversation", "coding_sessions"), clean / "conversations")
    report = validate(Options(data_dir=clean, workers=1))
    assert report.errors == 0, [f.message for f in report.findings if f.severity == "error"]

    # Resume: a torn last line is cut and the count is already met, so nothing is added or duplicated.
    path = data_file(tmp_path, "conversation", "coding_sessions")
    with path.open("a") as fh:
        fh.write('{"id": "torn')
    again = asyncio.run(generate_sessions(config))
    assert again.kept == 1 and again.new_kept == 0
    assert [r["id"] for r in lines(path)] == [record.id]


def test_a_request_that_fails_verification_lands_in_rejected(tmp_path: Path) -> None:
    # A real HTTP teacher whose scripted solver only looks around and answers: the bug stays.
    with TeacherServer() as server:
        run = RunConfig(system_prompt=SESSION_SYSTEM_PROMPT)
        config = SessionConfig(
            count=1, out=tmp_path, workers=1, turns=(2, 2), run=run, sources=source(), max_sessions=1
        )
        teacher = TeacherConfig(spec="openai:scripted", base_url=server.url + "/v1")
        with teacher.open(tmp_path, api_key="sk-test-0123456789", max_retries=0) as opened:
            state = asyncio.run(generate_sessions(config, opened))
            # every request of the session is booked to it, and the session is finished in the ledger
            assert opened.ledger is not None and opened.ledger.totals().requests == len(
                server.state.delivered
            )
            assert list(opened.ledger.finished().values()) == [state_record_id(tmp_path)]
    assert state.kept == 0 and state.rejected == 1
    assert lines(data_file(tmp_path, "conversation", "coding_sessions")) == []
    (rejected,) = lines(rejected_file(tmp_path, CATEGORY, kind="conversation"))
    assert not rejected["outcome"]["verified"]
    assert rejected["metadata"]["teacher"] == "openai:scripted"
    assert "request 1" in rejected["metadata"]["rejected_reason"]
    assert "not verified" in rejected["metadata"]["rejected_reason"]
    assert rejected["messages"][-1]["role"] == "assistant"


def state_record_id(data: Path) -> str:
    (rejected,) = lines(rejected_file(data, CATEGORY, kind="conversation"))
    return rejected["id"]


def test_turns_option_is_checked() -> None:
    assert parse_turns("2-4") == (2, 4) and parse_turns("3") == (3, 3)
    with pytest.raises(ValueError, match="2 <= low"):
        parse_turns("1-5")


def test_follow_ups_change_the_workspace_and_say_so(tmp_path: Path) -> None:
    from agentic_pipeline.generate.conversations import _prepare_follow, follow_message, session_pools
    from agentic_pipeline.sandbox import Limits, Sandbox

    (src,) = source()
    pools = session_pools([src])
    ws = tmp_path / "ws"
    shutil.copytree(src.root, ws, ignore=shutil.ignore_patterns("__pycache__"))
    sandbox = Sandbox(ws, Limits(timeout_s=60))
    rels = [*src.src_files, *src.test_files]
    bug = next(t for t in pools["debugging"] if t.patches[0].path == src.src_files[0])
    output = asyncio.run(_prepare_follow(bug, sandbox, rels))
    assert output is not None and re.search(r"\d+ (failed|error)", output)  # the real run of the tests
    assert (ws / bug.patches[0].path).read_text() == bug.start_text(bug.patches[0].path)
    message = follow_message(bug, output, random.Random(0))
    assert bug.check_cmd in message and output.strip().splitlines()[-2].strip() in message
    make = next(t for t in pools["devops"] if t.check_cmd == "make dist")
    added = asyncio.run(_prepare_follow(make, sandbox, rels))
    assert (ws / "Makefile").is_file() and "I've added a Makefile" in follow_message(
        make, added, random.Random(0)
    )


def test_a_follow_up_with_several_stubs_names_each_function() -> None:
    from agentic_pipeline.generate.conversations import follow_message, session_pools
    from agentic_pipeline.tasks.facts import ImplementManyFacts

    (src,) = source()
    multi = next(
        t
        for t in session_pools([src])["coding"]
        if isinstance(t.solution.facts, ImplementManyFacts) and len(t.solution.facts.functions) == 3
    )
    message = follow_message(multi, "", random.Random(0))
    assert all(f"`{name}`" in message for name in multi.solution.facts.functions)
    assert " and `" in message and "them" in message and "` and `" not in message.split(" and `")[0]
