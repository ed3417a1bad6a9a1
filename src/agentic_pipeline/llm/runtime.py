"""What a run with a paid teacher needs around the agent loop, built from the CLI options.

``prepare_teacher`` checks the teacher spec and its credentials (a missing key is an error for
people, before anything starts), opens the cost ledger in the run directory, builds the shared rate
limiter, and returns a ``TeacherRun``: the ``options`` the policy factory takes (``make_policy``),
and the hooks the runner calls: ``allows_new()`` before starting an episode (False once
``--max-cost-usd`` is reached: episodes in flight finish and are written), ``episode_written()``
after its record is on disk, ``total_usd()`` for the progress bar.

``dry_run_lines`` is ``--dry-run``: the expected calls, tokens and dollars, nothing sent.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentic_pipeline.llm.dryrun import EpisodeShape, describe
from agentic_pipeline.llm.ledger import Ledger
from agentic_pipeline.llm.pool import CostGuard
from agentic_pipeline.llm.prices import PriceTable, load_prices

PAID_PREFIXES = ("anthropic", "openai")
ANTHROPIC_ONLY = ("thinking", "cache")


def parse_thinking(text: str | None) -> int | str | None:
    """``--thinking``: ``adaptive`` or a token budget."""
    if text is None or text == "adaptive":
        return text
    if text.isdigit() and int(text) >= 1024:
        return int(text)
    raise ValueError(f"--thinking {text!r}: expected 'adaptive' or a token budget of at least 1024")


@dataclass
class TeacherRun:
    teacher: str
    ledger: Ledger | None = None
    guard: CostGuard | None = None
    options: dict[str, Any] = field(default_factory=dict)
    closed_usd: float = 0.0

    def allows_new(self) -> bool:
        return self.guard is None or self.guard.allows_new()

    @property
    def budget_reached(self) -> bool:
        return self.guard is not None and self.guard.stopped

    def episode_written(self, episode_id: str, record_id: str, kept: bool) -> None:
        if self.ledger is not None:
            self.ledger.finish_episode(episode_id, record_id, "kept" if kept else "rejected")

    def total_usd(self) -> float:
        if self.ledger is None:
            return self.closed_usd
        return self.ledger.total_usd()

    def summary(self) -> str:
        """One line for the end of a run: what the ledger holds (this run and the ones it resumed)."""
        if self.ledger is None:
            return f"{self.teacher}: no paid model calls"
        t = self.ledger.totals()
        return (
            f"{self.teacher}: {t.requests:,} requests, tokens: {t.input_tokens:,} input, "
            f"{t.cache_creation_input_tokens:,} cache write, {t.cache_read_input_tokens:,} cache read, "
            f"{t.output_tokens:,} output; ${t.usd:.4f} (ledger {self.ledger.path})"
        )

    def close(self) -> None:
        """Close the ledger; ``total_usd()`` keeps answering with the final total."""
        if self.ledger is not None:
            self.closed_usd = self.ledger.total_usd()
            self.ledger.close()
            self.ledger = None


def split_teacher(teacher: str) -> tuple[str, str]:
    kind, _, model = teacher.partition(":")
    if kind not in ("oracle", *PAID_PREFIXES) or (kind != "oracle" and not model):
        raise ValueError(f"--teacher {teacher!r}: expected oracle, anthropic:MODEL or openai:MODEL")
    return kind, model


def _check_credentials(kind: str, base_url: str | None) -> None:
    if kind == "anthropic" and not (
        os.environ.get("ANTHROPIC_API_KEY") or os.environ.get("ANTHROPIC_AUTH_TOKEN")
    ):
        raise ValueError(
            "--teacher anthropic:...: set ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL or --base-url for a proxy)"
        )
    if kind == "openai" and not (
        base_url or os.environ.get("OPENAI_BASE_URL") or os.environ.get("OPENAI_API_KEY")
    ):
        raise ValueError(
            "--teacher openai:...: set OPENAI_API_KEY for OpenAI, or --base-url / OPENAI_BASE_URL for a "
            "compatible server (vLLM, SGLang, Ollama: any key works there)"
        )


def prepare_teacher(
    teacher: str,
    run_dir: Path,
    base_url: str | None = None,
    max_cost_usd: float | None = None,
    concurrency: int | None = None,
    rpm: float | None = None,
    itpm: float | None = None,
    otpm: float | None = None,
    prices: PriceTable | None = None,
    **policy_options: Any,
) -> TeacherRun:
    """The ledger, budget and limits of a run; raises ValueError with a message for people."""
    kind, model = split_teacher(teacher)
    if kind == "oracle":
        return TeacherRun(teacher)
    _check_credentials(kind, base_url)
    prices = prices or load_prices()
    if max_cost_usd is not None and prices.lookup(model) is None:
        raise ValueError(
            f"--max-cost-usd: no price for {model!r} in {prices.source}; add one (dollars per million tokens) "
            "or run without a dollar budget"
        )
    if kind != "anthropic":
        policy_options = {k: v for k, v in policy_options.items() if k not in ANTHROPIC_ONLY}
    ledger = Ledger(run_dir, prices)
    options = {"ledger": ledger, "concurrency": concurrency, "rpm": rpm, "itpm": itpm, "otpm": otpm}
    options.update({key: value for key, value in policy_options.items() if value is not None})
    return TeacherRun(teacher, ledger, CostGuard(ledger, max_cost_usd), options)


def dry_run_lines(
    teacher: str, count: int, shape: EpisodeShape | None = None, prices: PriceTable | None = None
) -> list[str]:
    kind, model = split_teacher(teacher)
    if kind == "oracle":
        return [f"dry run: {count} episodes with the oracle teacher: no model calls, $0"]
    lines = describe(shape or EpisodeShape(), model, count, prices or load_prices())
    lines.append(
        "count is episodes run: rejected episodes cost as much as kept ones, so divide by the expected "
        "success rate for the cost of that many kept trajectories"
    )
    return lines
