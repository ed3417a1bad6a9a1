"""Dollars per token from ``configs/prices.yaml``: the only place a price lives.

``cost_usd`` turns one request's usage into dollars. Usage follows Anthropic's split, which the
OpenAI policy converts to: ``input_tokens`` are the uncached prompt tokens, and the cache-write
and cache-read tokens are counted apart, each at its own price.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from agentic_pipeline.llm.usage import Usage

PRICES_ENV = "AGENTIC_PRICES"
# The repository's configs/ (src/agentic_pipeline/llm/prices.py -> parents[3] is the repo root).
DEFAULT_PRICES = Path(__file__).resolve().parents[3] / "configs" / "prices.yaml"
PER_TOKEN = 1e-6  # the table is in dollars per million tokens
_DATE_SUFFIX = re.compile(r"-(\d{8}|\d{4}-\d{2}-\d{2})$")


def canonical_model(model: str) -> str:
    """``anthropic/claude-sonnet-4-5-20250929`` -> ``claude-sonnet-4-5``: the key the table uses."""
    name = model.rsplit("/", 1)[-1]
    return _DATE_SUFFIX.sub("", name)


@dataclass(frozen=True)
class ModelPrice:
    """Dollars per million tokens for one model."""

    input: float
    output: float
    cache_write: float
    cache_read: float
    batch_discount: float = 0.5
    long_prompt: ModelPrice | None = None
    long_prompt_threshold: int = 0

    def for_prompt(self, prompt_tokens: int) -> ModelPrice:
        """The tier that applies to a request with this many prompt tokens."""
        if self.long_prompt is not None and prompt_tokens > self.long_prompt_threshold:
            return self.long_prompt
        return self


class PriceTable:
    """Model name -> price, by exact name after ``canonical_model``."""

    def __init__(self, models: dict[str, ModelPrice], source: Path | None = None) -> None:
        self.models = models
        self.source = source

    def lookup(self, model: str) -> ModelPrice | None:
        return self.models.get(model) or self.models.get(canonical_model(model))

    def cost_usd(self, model: str, usage: Usage, batch: bool = False) -> float:
        """Dollars for ``usage``; 0.0 for a model the table doesn't price (a self-hosted endpoint)."""
        price = self.lookup(model)
        if price is None:
            return 0.0
        prompt = usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens
        price = price.for_prompt(prompt)
        dollars = PER_TOKEN * (
            usage.input_tokens * price.input
            + usage.output_tokens * price.output
            + usage.cache_creation_input_tokens * price.cache_write
            + usage.cache_read_input_tokens * price.cache_read
        )
        return dollars * (1.0 - price.batch_discount) if batch else dollars


def _parse(raw: dict[str, Any], path: Path) -> PriceTable:
    defaults = raw.get("defaults") or {}
    write_x = float(defaults.get("cache_write_multiplier", 1.25))
    read_x = float(defaults.get("cache_read_multiplier", 0.1))
    discount = float(defaults.get("batch_discount", 0.5))

    def price(name: str, entry: Any) -> ModelPrice:
        if not isinstance(entry, dict) or "input" not in entry or "output" not in entry:
            raise ValueError(f"{path}: model {name!r} needs at least 'input' and 'output' prices per MTok")
        inp = float(entry["input"])
        long = entry.get("long_prompt")
        return ModelPrice(
            input=inp,
            output=float(entry["output"]),
            cache_write=float(entry.get("cache_write", inp * write_x)),
            cache_read=float(entry.get("cache_read", inp * read_x)),
            batch_discount=float(entry.get("batch_discount", discount)),
            long_prompt=price(f"{name}.long_prompt", long) if long else None,
            long_prompt_threshold=int(long.get("threshold_tokens", 0)) if long else 0,
        )

    models = {str(name): price(str(name), entry) for name, entry in (raw.get("models") or {}).items()}
    return PriceTable(models, source=path)


def load_prices(path: Path | None = None) -> PriceTable:
    """The table at ``path``, else ``$AGENTIC_PRICES``, else the repository's ``configs/prices.yaml``."""
    path = path or (Path(os.environ[PRICES_ENV]) if os.environ.get(PRICES_ENV) else DEFAULT_PRICES)
    if not path.is_file():
        raise FileNotFoundError(f"price table not found: {path} (set {PRICES_ENV} or pass a path)")
    raw = yaml.safe_load(path.read_text()) or {}
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected a mapping with 'models'")
    return _parse(raw, path)
