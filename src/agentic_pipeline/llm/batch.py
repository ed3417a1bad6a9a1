"""Message Batches API mode for stages that don't need a live loop (single-turn generation, judging,
conversions): half the price, results within 24 h (usually minutes).

``run_batch(client, ledger, stage, requests)`` submits every request whose result the ledger doesn't
have yet, polls until the batches end, and stores each result together with its cost (at the batch
price) in one ledger transaction. It is resumable: the batch ids are in the ledger as soon as the
API returns them, so a re-run after a crash polls the batches already submitted instead of paying
for them again, and results already collected are never requested again. The one window a crash can
still cost money is between the API accepting a batch and the ledger storing its id (one local
write, milliseconds).

Requests that come back errored, canceled or expired are not billed and are submitted again, up to
``rounds`` times; what still fails is returned in ``BatchOutcome.failed`` with the reason.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from agentic_pipeline.llm.ledger import Ledger
from agentic_pipeline.llm.secrets import redact
from agentic_pipeline.llm.usage import Usage

log = logging.getLogger(__name__)

MAX_REQUESTS_PER_BATCH = 100_000  # the API's limit per batch


@dataclass
class BatchOutcome:
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    submitted_batches: int = 0


def _usage(message: dict[str, Any]) -> Usage:
    usage = message.get("usage") or {}
    return Usage(
        requests=1,
        input_tokens=usage.get("input_tokens") or 0,
        output_tokens=usage.get("output_tokens") or 0,
        cache_creation_input_tokens=usage.get("cache_creation_input_tokens") or 0,
        cache_read_input_tokens=usage.get("cache_read_input_tokens") or 0,
    )


async def _wait_ended(client: Any, batch_id: str, poll_seconds: float) -> None:
    while True:
        batch = await client.messages.batches.retrieve(batch_id)
        if batch.processing_status == "ended":
            return
        await asyncio.sleep(poll_seconds)


async def _collect(client: Any, ledger: Ledger, stage: str, batch_id: str, model: str) -> dict[str, str]:
    """Store every succeeded result of an ended batch; return custom id -> reason for the others."""
    failed: dict[str, str] = {}
    async for line in await client.messages.batches.results(batch_id):
        result = line.result
        if result.type == "succeeded":
            message = result.message.model_dump(mode="json", exclude_none=True)
            ledger.save_batch_result(stage, batch_id, line.custom_id, message, model, _usage(message))
        else:
            error = getattr(result, "error", None)
            failed[line.custom_id] = redact(f"{result.type}: {error}" if error else result.type)
    ledger.close_batch(batch_id)
    return failed


async def _submit(
    client: Any, ledger: Ledger, stage: str, model: str, requests: dict[str, dict[str, Any]]
) -> list[str]:
    ids = list(requests)
    batch_ids = []
    for start in range(0, len(ids), MAX_REQUESTS_PER_BATCH):
        chunk = ids[start : start + MAX_REQUESTS_PER_BATCH]
        batch = await client.messages.batches.create(
            requests=[{"custom_id": cid, "params": {"model": model, **requests[cid]}} for cid in chunk]
        )
        ledger.save_batch(batch.id, stage, model, chunk)  # before anything else can fail
        batch_ids.append(batch.id)
    return batch_ids


async def run_batch(
    client: Any,
    ledger: Ledger,
    stage: str,
    model: str,
    requests: dict[str, dict[str, Any]],
    poll_seconds: float = 30.0,
    rounds: int = 2,
) -> BatchOutcome:
    """Results for ``requests`` (custom id -> Messages API params without ``model``), paid once.

    ``client`` is an ``anthropic.AsyncAnthropic``. Custom ids must be unique within the stage and
    stable across re-runs (derive them from the input record's id).
    """
    outcome = BatchOutcome()
    # Batches a previous run submitted: wait for them and collect, never resubmit.
    for batch_id, batch_model, _ in ledger.open_batches(stage):
        await _wait_ended(client, batch_id, poll_seconds)
        outcome.failed.update(await _collect(client, ledger, stage, batch_id, batch_model))
    for _ in range(rounds):
        done = ledger.batch_results(stage)
        pending = {cid: params for cid, params in requests.items() if cid not in done}
        if not pending:
            break
        batch_ids = await _submit(client, ledger, stage, model, pending)
        outcome.submitted_batches += len(batch_ids)
        for batch_id in batch_ids:
            await _wait_ended(client, batch_id, poll_seconds)
            outcome.failed.update(await _collect(client, ledger, stage, batch_id, model))
    done = ledger.batch_results(stage)
    outcome.results = {cid: done[cid] for cid in requests if cid in done}
    outcome.failed = {cid: why for cid, why in outcome.failed.items() if cid not in done}
    if outcome.failed:
        log.warning("%d batch requests of stage %s failed", len(outcome.failed), stage)
    return outcome
