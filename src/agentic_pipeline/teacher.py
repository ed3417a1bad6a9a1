"""The teacher of a run: the one place policies are made, and what a paid one needs around it.

Every command that takes a teacher (trajectories, conversations, reasoning, preferences,
``convert --expand``, ``tasks synthesize``) describes it with one ``TeacherConfig`` and opens it for
the run::

    with TeacherConfig(spec="anthropic:claude-sonnet-4-5", max_cost_usd=20).open(out) as teacher:
        policy = teacher.policy()                # made here and nowhere else
        if teacher.allows_new(): ...             # False once --max-cost-usd is reached
        with teacher.episode(key): ...           # requests inside are booked to ``key`` in the ledger
        teacher.episode_written(key, record_id, kept)

``open`` checks the spec and its credentials (a missing key is an error for people, before
anything starts; for ``hf:PATH``, a local checkpoint run in this process, that the folder holds a
model and a tokenizer whose chat template writes tool calls in a syntax the policy parses), opens
the cost ledger in the run directory and builds the one rate limiter every policy of the run shares. ``close`` (the end of the ``with`` block) closes the ledger;
``total_usd()`` keeps answering with the final total. ``--dry-run`` opens a teacher that makes no
policy and no ledger: ``dry_run_lines`` prints the expected calls, tokens and dollars.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from agentic_pipeline.llm.client import episode_scope
from agentic_pipeline.llm.dryrun import EpisodeShape, describe
from agentic_pipeline.llm.ledger import Ledger
from agentic_pipeline.llm.prices import PriceTable, load_prices
from agentic_pipeline.llm.ratelimit import RateLimiter
from agentic_pipeline.policies import make_policy
from agentic_pipeline.policies.base import Policy

PAID_KINDS = ("anthropic", "openai")
LOCAL_KINDS = ("hf",)  # a model run here: no key, no ledger, no dollars
SPEC_HELP = "oracle, anthropic:MODEL, openai:MODEL or hf:PATH"


def parse_thinking(text: str | int | None) -> int | str | None:
    """``--thinking``: ``adaptive`` or a token budget of at least 1024."""
    if text is None or text == "adaptive":
        return text
    if (isinstance(text, int) or text.isdigit()) and int(text) >= 1024:
        return int(text)
    raise ValueError(f"--thinking {text!r}: expected 'adaptive' or a token budget of at least 1024")


def split_spec(spec: str) -> tuple[str, str]:
    """``anthropic:MODEL`` -> (``anthropic``, ``MODEL``), ``hf:PATH`` -> (``hf``, ``PATH``); ValueError
    for anything else."""
    kind, _, model = spec.partition(":")
    if kind not in ("oracle", *PAID_KINDS, *LOCAL_KINDS) or (kind != "oracle" and not model):
        raise ValueError(f"--teacher {spec!r}: expected {SPEC_HELP}")
    return kind, model


@dataclass(frozen=True, kw_only=True)
class TeacherConfig:
    """The teacher options of a command, checked when made (ValueError with a message for people)."""

    spec: str = "oracle"
    base_url: str | None = None
    max_cost_usd: float | None = None
    concurrency: int | None = None  # model requests in flight at once
    rpm: float | None = None
    itpm: float | None = None
    otpm: float | None = None
    thinking: int | str | None = None  # Anthropic: "adaptive" or a token budget
    request_timeout: float | None = None
    dry_run: bool = False
    temperature: float | None = None  # hf:PATH: sampling temperature (none: greedy)
    max_new_tokens: int | None = None  # hf:PATH: new tokens per assistant turn

    def __post_init__(self) -> None:
        kind, _ = split_spec(self.spec)
        object.__setattr__(self, "thinking", parse_thinking(self.thinking))
        if kind != "hf" and (self.temperature is not None or self.max_new_tokens is not None):
            raise ValueError("--temperature and --max-new-tokens are options of a local hf:PATH teacher")
        if self.temperature is not None and self.temperature < 0:
            raise ValueError(f"--temperature {self.temperature}: expected 0 (greedy) or more")
        if self.max_new_tokens is not None and self.max_new_tokens < 1:
            raise ValueError(f"--max-new-tokens {self.max_new_tokens}: expected at least 1")

    @property
    def kind(self) -> str:
        return split_spec(self.spec)[0]

    @property
    def model(self) -> str:
        return split_spec(self.spec)[1]

    @property
    def paid(self) -> bool:
        return self.kind in PAID_KINDS

    def open(
        self, run_dir: Path | None, *, seed: int = 0, prices: PriceTable | None = None, **client: Any
    ) -> Teacher:
        """The run's teacher, its ledger in ``run_dir``. ``client`` goes to every LLM policy's client
        settings (``api_key``, ``max_retries``, ``retry``, ``http_clients``: tests and benchmarks)."""
        return Teacher(self, run_dir, seed=seed, prices=prices, client=client)


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


class Teacher:
    """An opened teacher: policies, the cost ledger, the shared rate limits and the dollar budget."""

    def __init__(
        self,
        config: TeacherConfig,
        run_dir: Path | None,
        *,
        seed: int = 0,
        prices: PriceTable | None = None,
        client: dict[str, Any] | None = None,
    ) -> None:
        self.config, self.seed = config, seed
        self.name = config.spec
        self.ledger: Ledger | None = None
        self.closed_usd = 0.0
        self.stopped = False
        self._client = dict(client or {})
        self._policies: dict[tuple[tuple[str, Any], ...], Policy] = {}
        self._prices = prices
        self.limiter = RateLimiter(config.rpm, config.itpm, config.otpm, max_concurrent=config.concurrency)
        if config.kind == "hf":
            from agentic_pipeline.policies.hf_policy import check_checkpoint

            check_checkpoint(config.model)
        if not config.paid or config.dry_run:
            return
        if not self._client.get("api_key"):
            _check_credentials(config.kind, config.base_url)
        self._prices = prices = prices or load_prices()
        if config.max_cost_usd is not None and prices.lookup(config.model) is None:
            raise ValueError(
                f"--max-cost-usd: no price for {config.model!r} in {prices.source}; add one (dollars per "
                "million tokens) or run without a dollar budget"
            )
        if run_dir is None:
            raise ValueError(f"{config.spec}: a paid teacher needs a run directory for its cost ledger")
        self.ledger = Ledger(Path(run_dir), prices)

    # -- the with block ------------------------------------------------------------------------

    def __enter__(self) -> Teacher:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the ledger; ``total_usd()`` keeps answering with the final total."""
        if self.ledger is not None:
            self.closed_usd = self.ledger.total_usd()
            self.ledger.close()
            self.ledger = None

    # -- policies ------------------------------------------------------------------------------

    @property
    def paid(self) -> bool:
        return self.config.paid

    @property
    def dry_run(self) -> bool:
        return self.config.dry_run

    def policy(self, **overrides: Any) -> Policy:
        """The run's policy (one per distinct ``overrides``: ``temperature``, ``max_tokens``, ...).

        Every policy of the run shares the ledger and the rate limiter, so the limits and the budget
        hold whatever asks. The oracle takes no overrides (it is seeded by the run's ``seed``)."""
        if self.config.dry_run:
            raise RuntimeError("a --dry-run teacher makes no policy")
        key = tuple(sorted(overrides.items()))
        if key not in self._policies:
            self._policies[key] = self._make(overrides)
        return self._policies[key]

    def _make(self, overrides: dict[str, Any]) -> Policy:
        cfg = self.config
        if cfg.kind == "oracle":
            return make_policy("oracle", seed=self.seed)
        if cfg.kind == "hf":  # no ledger, no limiter: the model runs here, one generation at a time
            local = {"max_tokens": cfg.max_new_tokens, "temperature": cfg.temperature}
            local = {k: v for k, v in local.items() if v is not None}
            return make_policy(cfg.spec, **{**local, **overrides})
        options: dict[str, Any] = {"ledger": self.ledger, "limiter": self.limiter, **self._client}
        if cfg.request_timeout is not None:
            options["timeout"] = cfg.request_timeout
        if cfg.kind == "anthropic" and cfg.thinking is not None:
            options["thinking"] = cfg.thinking
        options.update(overrides)
        return make_policy(cfg.spec, cfg.base_url, **options)

    # -- budget and bookkeeping ----------------------------------------------------------------

    def allows_new(self) -> bool:
        """False once the ledger's running total reaches ``--max-cost-usd`` (and from then on)."""
        limit = self.config.max_cost_usd
        if limit is not None and self.ledger is not None and self.ledger.total_usd() >= limit:
            self.stopped = True
        return not self.stopped

    @property
    def budget_reached(self) -> bool:
        return self.stopped

    @contextmanager
    def episode(self, key: str) -> Iterator[None]:
        """Requests made inside (in this asyncio task) are booked to episode ``key``."""
        if self.ledger is not None:
            self.ledger.start_episode(key)
        with episode_scope(key):
            yield

    def episode_written(self, key: str, record_id: str, kept: bool) -> None:
        """Call once the episode's record is durably written (kept or rejected)."""
        if self.ledger is not None:
            self.ledger.finish_episode(key, record_id, "kept" if kept else "rejected")

    def total_usd(self) -> float:
        return self.closed_usd if self.ledger is None else self.ledger.total_usd()

    def summary(self) -> str:
        """One line for the end of a run: what the ledger holds (this run and the ones it resumed)."""
        if self.ledger is None:
            return f"{self.name}: no paid model calls"
        t = self.ledger.totals()
        return (
            f"{self.name}: {t.requests:,} requests, tokens: {t.input_tokens:,} input, "
            f"{t.cache_creation_input_tokens:,} cache write, {t.cache_read_input_tokens:,} cache read, "
            f"{t.output_tokens:,} output; ${t.usd:.4f} (ledger {self.ledger.path})"
        )

    def dry_run_lines(
        self, count: int, shape: EpisodeShape | None = None, unit: str = "episodes"
    ) -> list[str]:
        """``--dry-run``: the expected calls, tokens and dollars of ``count`` episodes of ``shape``."""
        if self.config.kind == "hf":
            return [f"dry run: {count} {unit} with {self.name}, run here: no paid model calls, $0"]
        if not self.paid:
            return [f"dry run: {count} {unit} with the oracle teacher: no model calls, $0"]
        lines = describe(
            shape or EpisodeShape(), self.config.model, count, self._prices or load_prices(), unit
        )
        lines.append(
            f"count is {unit} run: rejected ones cost as much as kept ones, so divide by the expected "
            "success rate for the cost of that many kept records"
        )
        return lines


def oracle_teacher(seed: int = 0) -> Teacher:
    """The offline teacher (no ledger, no budget): the default of every generator."""
    return TeacherConfig().open(None, seed=seed)
