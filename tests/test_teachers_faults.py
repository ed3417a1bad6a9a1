"""Fault injection against real local servers: 429 with retry-after, 529, 500, dropped connections,
responses slower than the timeout, malformed tool arguments. Many episodes run concurrently through
``run_pool``; the suite proves the run completes, nothing is lost or duplicated, and the ledger
equals the usage the server reported.
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

from agentic_pipeline.llm.ledger import Ledger
from agentic_pipeline.llm.pool import CostGuard, run_pool
from agentic_pipeline.llm.retry import RetryPolicy
from agentic_pipeline.policies.anthropic_policy import AnthropicPolicy
from agentic_pipeline.policies.openai_policy import OpenAIPolicy

ALL_FAULTS = ["429", "529", "500", "drop", "slow", "malformed"]


def make(kind: str, url: str, ledger: Ledger | None, max_retries: int = 3) -> Any:
    # A short timeout so the "slow" fault is a timeout; enough SDK retries to ride out each fault.
    cfg = settings(url if kind == "anthropic" else url + "/v1", ledger)
    cfg.timeout, cfg.max_retries = 0.5, max_retries
    return AnthropicPolicy("claude-sonnet-5-5", cfg) if kind == "anthropic" else OpenAIPolicy("gpt-5.4", cfg)


def run_episodes(policy: Any, ledger: Ledger, out: Path, count: int, concurrency: int) -> Any:
    def write(episode_id: str, messages: list[dict[str, Any]]) -> str:
        with out.open("a") as fh:
            fh.write(json.dumps({"id": episode_id, "messages": messages}) + "\n")
        return episode_id

    jobs = [(f"ep-{i:03d}", lambda: drive(policy)) for i in range(count)]
    return asyncio.run(run_pool(jobs, write, concurrency=concurrency, ledger=ledger))


@pytest.mark.parametrize("kind", ["anthropic", "openai"])
def test_every_fault_is_survived_and_the_ledger_matches_the_server(kind: str, tmp_path: Path) -> None:
    out = tmp_path / "episodes.jsonl"
    with TeacherServer(faults=ALL_FAULTS, slow_seconds=1.5) as server, Ledger(tmp_path) as ledger:
        policy = make(kind, server.url, ledger)
        report = run_episodes(policy, ledger, out, count=6, concurrency=3)
        assert server.state.faults_served == ALL_FAULTS
        assert report.finished == 6 and report.failed == 0
        assert_ledger_matches(ledger, server)
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
        with Ledger(tmp_path) as ledger:
            policy = make("openai", server.url, ledger)
            run_episodes(policy, ledger, out, count=4, concurrency=2)
            paid = ledger.total_usd()
            calls = len(server.state.delivered)
        with Ledger(tmp_path) as ledger:  # a new process, same run directory
            policy = make("openai", server.url, ledger)
            report = run_episodes(policy, ledger, out, count=6, concurrency=2)
            assert report.skipped == 4 and report.finished == 2
            assert len(server.state.delivered) == calls + 2 * 3
            assert ledger.total_usd() > paid
            assert_ledger_matches(ledger, server)
    ids = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    assert sorted(ids) == [f"ep-{i:03d}" for i in range(6)]


def test_max_cost_stops_new_episodes_and_finishes_those_in_flight(tmp_path: Path) -> None:
    out = tmp_path / "episodes.jsonl"
    with TeacherServer() as server, Ledger(tmp_path) as ledger:
        policy = make("anthropic", server.url, ledger)
        # One episode costs ~3 requests; a budget below one episode's cost lets the first wave finish.
        guard = CostGuard(ledger, max_usd=1e-6)

        def write(episode_id: str, messages: list[dict[str, Any]]) -> str:
            with out.open("a") as fh:
                fh.write(json.dumps({"id": episode_id}) + "\n")
            return episode_id

        jobs = [(f"ep-{i:03d}", lambda: drive(policy)) for i in range(20)]
        report = asyncio.run(run_pool(jobs, write, concurrency=2, ledger=ledger, guard=guard))
        assert report.budget_stopped
        assert report.finished == 2 and report.failed == 0  # the two in flight completed cleanly
        assert ledger.episode_counts() == {"finished": 2}
        assert len(out.read_text().splitlines()) == 2
        assert_ledger_matches(ledger, server)
