"""Message Batches mode against a real local server speaking the batches endpoints, through the SDK."""

from __future__ import annotations

import asyncio
from pathlib import Path

import anthropic
import pytest
from teacher_server import TeacherServer

from agentic_pipeline.llm.batch import run_batch
from agentic_pipeline.llm.ledger import Ledger

MODEL = "claude-sonnet-5-5"


def requests(n: int) -> dict[str, dict]:
    return {
        f"rec-{i}": {
            "max_tokens": 256,
            "messages": [{"role": "user", "content": f"Explain item {i} step by step."}],
        }
        for i in range(n)
    }


def client(url: str) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(base_url=url, api_key="test-key-0123456789", max_retries=0)


def test_batch_results_are_collected_once_at_half_price(tmp_path: Path) -> None:
    with TeacherServer() as server, Ledger(tmp_path) as ledger:
        outcome = asyncio.run(
            run_batch(client(server.url), ledger, "judge", MODEL, requests(3), poll_seconds=0.01)
        )
        assert sorted(outcome.results) == ["rec-0", "rec-1", "rec-2"] and not outcome.failed
        assert outcome.results["rec-1"]["content"][0]["type"] == "text"
        delivered = server.delivered_totals()
        totals = ledger.totals()
        assert totals.requests == 3 == delivered["requests"]
        assert (totals.input_tokens, totals.output_tokens) == (
            delivered["input_tokens"],
            delivered["output_tokens"],
        )
        full = ledger.prices.cost_usd(MODEL, totals.usage())
        assert ledger.total_usd() == pytest.approx(full / 2)
        # Run again: everything is in the ledger, nothing is submitted or paid.
        again = asyncio.run(
            run_batch(client(server.url), ledger, "judge", MODEL, requests(3), poll_seconds=0.01)
        )
        assert again.submitted_batches == 0 and again.results == outcome.results
        assert len(server.state.batches) == 1 and ledger.totals().requests == 3


def test_a_run_killed_while_polling_resumes_the_same_batch(tmp_path: Path) -> None:
    with TeacherServer() as server:
        server.state.batch_polls_to_end = 10**9  # never ends while the first run polls

        async def first_run() -> None:
            with Ledger(tmp_path) as ledger:
                task = asyncio.create_task(
                    run_batch(client(server.url), ledger, "convert", MODEL, requests(4), poll_seconds=0.01)
                )
                while not ledger.open_batches("convert"):
                    await asyncio.sleep(0.01)
                task.cancel()  # the crash: the batch is submitted and paid for, its results not collected
                with pytest.raises(asyncio.CancelledError):
                    await task

        asyncio.run(first_run())
        server.state.batch_polls_to_end = 0
        with Ledger(tmp_path) as ledger:
            outcome = asyncio.run(
                run_batch(client(server.url), ledger, "convert", MODEL, requests(4), poll_seconds=0.01)
            )
            assert len(outcome.results) == 4
            assert outcome.submitted_batches == 0  # the resumed run polled the batch already submitted
            assert len(server.state.batches) == 1
            assert ledger.totals().requests == 4 == server.delivered_totals()["requests"]
