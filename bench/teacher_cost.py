"""What 1,000 trajectories cost with a Claude teacher, with and without prompt caching and batches.

    python bench/teacher_cost.py --count 1000 --model claude-sonnet-4-5

The seed's scale: ~10 model calls per trajectory, the prompt growing from ~3K to ~20K tokens,
~400 output tokens per call (``EpisodeShape``; change with the flags). Each variant's per-call usage
is written into a real cost ledger (SQLite, as a run writes it) and the dollars are the ledger's own
total, so this is the arithmetic a run's progress bar and ``--max-cost-usd`` use. The caching row is
also checked against the local protocol server: an episode run through ``AnthropicPolicy`` shows
how much of its prompt the server reported as cache reads with the breakpoints the policy sets.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from teacher_server import TeacherServer  # noqa: E402

from agentic_pipeline.llm.client import ClientSettings  # noqa: E402
from agentic_pipeline.llm.dryrun import EpisodeShape  # noqa: E402
from agentic_pipeline.llm.ledger import Ledger  # noqa: E402
from agentic_pipeline.policies.anthropic_policy import AnthropicPolicy  # noqa: E402

VARIANTS = [
    ("no caching, live", False, False),
    ("prompt caching, live", True, False),
    ("no caching, batches (lockstep)", False, True),
    ("caching + batches (lockstep)", True, True),
]


def ledger_total(
    shape: EpisodeShape, model: str, count: int, caching: bool, batch: bool
) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp, Ledger(Path(tmp)) as ledger:
        per_episode = shape.step_usages(caching)
        for episode in range(count):
            for step, usage in enumerate(per_episode):
                ledger.record(
                    model, usage, episode_id=f"ep-{episode}", request_id=f"{episode}-{step}", batch=batch
                )
        return ledger.total_usd(), ledger.totals().requests


def cached_share_on_server(steps: int) -> float:
    """Fraction of prompt tokens the protocol server reported as cache reads over one episode."""
    tool = {
        "type": "function",
        "function": {"name": "bash", "parameters": {"type": "object", "properties": {}}},
    }
    with TeacherServer() as server:
        policy = AnthropicPolicy("claude-sonnet-5-5", ClientSettings(base_url=server.url, api_key="bench"))
        messages = [
            {"role": "system", "content": "You are an agent. " * 400},
            {"role": "user", "content": "Go."},
        ]

        async def run() -> None:
            for step in range(steps):
                reply = await policy.act(messages, [tool], None)
                messages.append({"role": "assistant", "content": reply.message.get("content") or "..."})
                messages.append({"role": "user", "content": f"observation {step}: " + "output line\n" * 300})

        asyncio.run(run())
        usages = list(server.state.delivered.values())
    read = sum(u["cache_read_input_tokens"] for u in usages)
    prompt = sum(
        u["input_tokens"] + u["cache_creation_input_tokens"] + u["cache_read_input_tokens"] for u in usages
    )
    return read / prompt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--model", default="claude-sonnet-4-5")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--first-prompt", type=int, default=3_000)
    parser.add_argument("--last-prompt", type=int, default=20_000)
    parser.add_argument("--output-per-step", type=int, default=400)
    args = parser.parse_args()
    shape = EpisodeShape(args.steps, args.first_prompt, args.last_prompt, args.output_per_step)
    print(
        f"{args.count} trajectories with {args.model}: {shape.steps} calls each, prompt "
        f"{shape.first_prompt:,} -> {shape.last_prompt:,} tokens, {shape.output_per_step} output tokens per call"
    )
    base = None
    for label, caching, batch in VARIANTS:
        usd, calls = ledger_total(shape, args.model, args.count, caching, batch)
        base = base or usd
        print(f"  {label:<32} {calls:>7,} calls  ${usd:>10,.2f}  ({usd / base:.0%} of no caching)")
    assumed = shape.step_usages(caching=True)
    read = sum(u.cache_read_input_tokens for u in assumed)
    modelled = read / sum(u.cache_read_input_tokens + u.cache_creation_input_tokens for u in assumed)
    share = cached_share_on_server(shape.steps)
    print(f"  check: the estimate reads {modelled:.0%} of prompt tokens from cache; an episode through the")
    print(f"         policy's cache breakpoints on the local protocol server read {share:.0%}")


if __name__ == "__main__":
    main()
