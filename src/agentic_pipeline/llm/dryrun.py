"""``--dry-run``: the calls, tokens and dollars a run would cost, before anything is spent.

The estimate is per episode, from its shape, then times the count. Assumptions (printed with it):

- an episode is ``steps`` model calls; the prompt grows linearly from ``first_prompt`` tokens
  (system + tools + task) to ``last_prompt`` (each step appends the model's output and an observation);
- every step outputs ``output_per_step`` tokens;
- without caching every call pays its whole prompt as input;
- with caching (Anthropic breakpoints as the policy sets them; OpenAI caches prefixes by itself),
  call k reads the previous call's prompt from the cache and writes only what was appended since;
  the first call of an episode reads the ``shared_prefix`` (system + tools, identical across
  episodes) and writes the rest; cache entries live 5 minutes, so steps are assumed to follow each
  other within that (they do at any useful concurrency);
- Message Batches halve every price; a live agent loop can't use them directly (each step waits for
  an observation), so the batch rows describe lockstep batching, step k of all episodes in one
  batch, hours per step: for offline stages, not for interactive runs.

Dollars come from the ledger's own price arithmetic (``PriceTable.cost_usd``).
"""

from __future__ import annotations

from dataclasses import dataclass

from agentic_pipeline.llm.prices import PriceTable
from agentic_pipeline.llm.usage import Usage


@dataclass(frozen=True)
class EpisodeShape:
    """The seed's scale: ~10 steps, the prompt growing from ~3K to ~20K tokens."""

    steps: int = 10
    first_prompt: int = 3_000
    last_prompt: int = 20_000
    output_per_step: int = 400
    shared_prefix: int = 2_000

    def prompt(self, step: int) -> int:
        if self.steps <= 1:
            return self.first_prompt
        return round(self.first_prompt + (self.last_prompt - self.first_prompt) * step / (self.steps - 1))

    def step_usages(self, caching: bool) -> list[Usage]:
        """The usage each call of one episode would report."""
        usages = []
        for step in range(self.steps):
            prompt = self.prompt(step)
            if not caching:
                usages.append(Usage(1, prompt, self.output_per_step, 0, 0))
                continue
            read = self.shared_prefix if step == 0 else self.prompt(step - 1)
            usages.append(Usage(1, 0, self.output_per_step, prompt - read, read))
        return usages


@dataclass
class Estimate:
    label: str
    episodes: int
    usage: Usage
    usd: float


def estimate(
    shape: EpisodeShape, model: str, count: int, prices: PriceTable, caching: bool, batch: bool
) -> Estimate:
    per_episode = Usage()
    usd = 0.0
    for usage in shape.step_usages(caching):
        per_episode.add(usage)
        usd += prices.cost_usd(model, usage, batch=batch)
    total = Usage(*(value * count for value in per_episode.as_dict().values()))
    label = ("cached" if caching else "no cache") + (" + batch (lockstep)" if batch else ", live")
    return Estimate(label, count, total, usd * count)


def plan(shape: EpisodeShape, model: str, count: int, prices: PriceTable) -> list[Estimate]:
    return [
        estimate(shape, model, count, prices, caching, batch)
        for batch in (False, True)
        for caching in (False, True)
    ]


def describe(
    shape: EpisodeShape, model: str, count: int, prices: PriceTable, unit: str = "episodes"
) -> list[str]:
    """Lines for people: the assumptions, then one line per variant."""
    price = prices.lookup(model)
    lines = [
        f"dry run: {count} {unit} with {model}; nothing is sent",
        f"assumed episode: {shape.steps} calls, prompt {shape.first_prompt:,} -> {shape.last_prompt:,} tokens, "
        f"{shape.output_per_step} output tokens per call, {shape.shared_prefix:,}-token shared system+tools prefix",
    ]
    if price is None:
        lines.append(f"no price for {model} in {prices.source}: token counts only, dollars shown as 0")
    else:
        lines.append(
            f"prices per MTok: input ${price.input:g}, output ${price.output:g}, cache write ${price.cache_write:g}, "
            f"cache read ${price.cache_read:g}, batch -{price.batch_discount:.0%}"
        )
    for row in plan(shape, model, count, prices):
        u = row.usage
        lines.append(
            f"  {row.label:<28} calls {u.requests:>9,}  input {u.input_tokens:>13,}  cache write "
            f"{u.cache_creation_input_tokens:>13,}  cache read {u.cache_read_input_tokens:>13,}  "
            f"output {u.output_tokens:>11,}  ${row.usd:>12,.2f}"
        )
    return lines
