"""Fault injection against real local servers: 429 with retry-after, 529, 500, dropped connections,
responses slower than the timeout, malformed tool arguments. Many episodes run concurrently through
the generators' own worker pool (``generate.pool.fill``) with a ``Teacher`` opened as every command
opens it; the suite proves the run completes, nothing is lost or duplicated, and the ledger equals
the usage the server reported.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import anthropic
import pytest
from teacher_server import TeacherServer
from test_teachers_protocol import assert_ledger_matches, drive, settings

from agentic_pipeline.generate.pool import Counts, Done, Job, fill
from agentic_pipeline.jsonl import JsonlAppender, existing_ids
from agentic_pipeline.llm.ledger import Ledger
from agentic_pipeline.llm.retry import RetryPolicy
from agentic_pipeline.policies.anthropic_policy import AnthropicPolicy
from agentic_pipeline.policies.openai_policy import OpenAIPolicy
from agentic_pipeline.teacher import Teacher, TeacherConfig

ALL_FAULTS = ["429", "529", "500", "drop", "slow", "malformed"]


def make(kind: str, url: str, ledger: Ledger | None, max_retries: int = 3) -> Any:
    # A short timeout so the "slow" fault is a timeout; enough SDK retries to ride out each fault.
    cfg = settings(url if kind == "anthropic" else url + "/v1", ledger)
    cfg.timeout, cfg.max_retries = 0.5, max_retries
    return AnthropicPolicy("claude-sonnet-5-5", cfg) if kind == "anthropic" else OpenAIPolicy("gpt-5.4", cfg)


def open_teacher(kind: str, url: str, run_dir: Path, max_usd: float | None = None) -> Teacher:
    """A teacher opened as a command opens it; a short timeout so the "slow" fault is a timeout, and
    enough SDK retries to ride out each fault."""
    spec = "anthropic:claude-sonnet-5-5" if kind == "anthropic" else "openai:gpt-5.4"
    config = TeacherConfig(
        spec=spec,
        base_url=url if kind == "anthropic" else url + "/v1",
        request_timeout=0.5,
        max_cost_usd=max_usd,
    )
    return config.open(run_dir, api_key="test-key-0123456789", max_retries=3, retry=settings("").retry)


def run_episodes(teacher: Teacher, out: Path, count: int, workers: int) -> Counts:
    """``count`` episodes through the pool; each writes its record durably, then the pool books it."""
    done = existing_ids(out)  # a resumed run skips what is on disk, as every generator does
    policy = teacher.policy()
    writer = JsonlAppender(out)

    def job(episode_id: str) -> Job:
        async def run() -> Done:
            messages = await drive(policy)
            writer.append({"id": episode_id, "messages": messages})
            return Done(episode_id, kept=True)

        return Job(episode_id, run)

    counts = Counts("episodes", count, kept=len(done))
    try:
        jobs = (job(f"ep-{i:03d}") for i in range(count) if f"ep-{i:03d}" not in done)
        return asyncio.run(fill(counts, jobs, workers=workers, teacher=teacher))
    finally:
        writer.close()


@pytest.mark.parametrize("kind", ["anthropic", "openai"])
def test_every_fault_is_survived_and_the_ledger_matches_the_server(kind: str, tmp_path: Path) -> None:
    out = tmp_path / "episodes.jsonl"
    with (
        TeacherServer(faults=ALL_FAULTS, slow_seconds=1.5) as server,
        open_teacher(kind, server.url, tmp_path) as t,
    ):
        counts = run_episodes(t, out, count=6, workers=3)
        assert server.state.faults_served == ALL_FAULTS
        assert counts.kept == 6 and counts.errors == 0
        assert_ledger_matches(t.ledger, server)
        policy = t.policy()
        statuses = policy.settings.stats.statuses
        assert statuses[429] == 1 and statuses[529] == 1 and statuses[500] == 1
        # The 429's retry-after closed the shared gate for every worker.
        assert policy.settings.limiter.gate.pauses >= 1
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(line["id"] for line in lines) == [f"ep-{i:03d}" for i in range(6)]  # none lost, none twice
    for line in lines:
        assistant = [m for m in line["messages"] if m["role"] == "assistant"]
        assert assistant[-1]["tool_calls"][0]["function"]["name"] == "finish"
    # Per-episode booking: every request of the run belongs to one of the episodes.
    with Ledger(tmp_path) as ledger:
        assert sum(ledger.episode_usd(f"ep-{i:03d}") for i in range(6)) == pytest.approx(ledger.total_usd())
        assert ledger.finished() == {f"ep-{i:03d}": f"ep-{i:03d}" for i in range(6)}
        assert ledger.episode_counts() == {"finished": 6}


def test_the_sdk_alone_retries_each_fault_with_no_outer_layer(tmp_path: Path) -> None:
    """The first line of retries is the SDK's own: with the outer layer off, every fault still passes."""
    faults = ["429", "ok", "529", "ok", "500", "ok", "drop", "ok", "slow", "ok"]
    with TeacherServer(faults=faults, slow_seconds=1.5) as server:
        policy = make("anthropic", server.url, None, max_retries=1)
        policy.settings.retry = RetryPolicy(attempts=1)
        episodes = [asyncio.run(drive(policy)), asyncio.run(drive(policy))]
        assert policy.settings.stats.outer_retries == 0
        assert server.state.faults_served == faults
    for messages in episodes:
        assert [m for m in messages if m["role"] == "assistant"][-1]["tool_calls"][0]["function"][
            "name"
        ] == "finish"


def test_an_outage_longer_than_the_retries_fails_the_call_and_books_nothing(tmp_path: Path) -> None:
    with TeacherServer(faults=["529"] * 4) as server, Ledger(tmp_path) as ledger:
        policy = make("anthropic", server.url, ledger, max_retries=1)
        policy.settings.retry = RetryPolicy(attempts=2, base=0.01, cap=0.01)
        with pytest.raises(anthropic.APIStatusError) as caught:
            asyncio.run(policy.act([{"role": "user", "content": "go"}], [], None))
        assert caught.value.status_code == 529
        assert ledger.totals().requests == 0 and server.state.delivered == {}


def test_a_rerun_skips_finished_episodes_and_pays_nothing_for_them(tmp_path: Path) -> None:
    out = tmp_path / "episodes.jsonl"
    with TeacherServer() as server:
        with open_teacher("openai", server.url, tmp_path) as teacher:
            run_episodes(teacher, out, count=4, workers=2)
            paid = teacher.total_usd()
            calls = len(server.state.delivered)
        with open_teacher("openai", server.url, tmp_path) as teacher:  # a new process, same run directory
            counts = run_episodes(teacher, out, count=6, workers=2)
            assert counts.kept == 6 and counts.new_kept == 2 and counts.attempts == 2
            assert len(server.state.delivered) == calls + 2 * 3
            assert teacher.total_usd() > paid
            assert_ledger_matches(teacher.ledger, server)
    ids = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    assert sorted(ids) == [f"ep-{i:03d}" for i in range(6)]


def test_max_cost_stops_new_episodes_and_finishes_those_in_flight(tmp_path: Path) -> None:
    out = tmp_path / "episodes.jsonl"
    # One episode costs ~3 requests; a budget below one episode's cost lets the first wave finish.
    with TeacherServer() as server, open_teacher("anthropic", server.url, tmp_path, max_usd=1e-6) as teacher:
        counts = run_episodes(teacher, out, count=20, workers=2)
        assert counts.budget_stopped and teacher.budget_reached
        assert counts.kept == 2 and counts.errors == 0  # the two in flight completed cleanly
        assert teacher.ledger.episode_counts() == {"finished": 2}
        assert len(out.read_text().splitlines()) == 2
        assert_ledger_matches(teacher.ledger, server)
