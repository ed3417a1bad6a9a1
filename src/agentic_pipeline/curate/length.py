"""Token counts per record with a chat template and tokenizer, and the checks on them.

Records are rendered with ``agentic_pipeline.render`` (the same code the trainer uses, so the
counts are what training will see) and tokenized in batches by the fast tokenizer. A record over
``--max-tokens`` would be truncated or dropped by the trainer; a record with no trainable
(assistant) token teaches nothing. With the package's tiny tokenizer (the offline default) the
counts are approximate: its vocabulary is small, so it splits text into more tokens than a real
Qwen tokenizer does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agentic_pipeline.render import Span, assistant_spans, count_tokens
from agentic_pipeline.tiny import is_tiny, load_tokenizer

DEFAULT_MAX_TOKENS = 32768


@dataclass(slots=True)
class Rendering:
    """The texts of one record to tokenize: one for an SFT record, chosen and rejected for a pair."""

    items: list[tuple[str, list[Span]]]


def load(name: str | None) -> Any:
    return load_tokenizer(name)


def approximate(tokenizer: Any) -> bool:
    return is_tiny(tokenizer)


def render_record(obj: dict[str, Any], tokenizer: Any, verify: bool) -> Rendering:
    """Render a schema-valid record from its parsed JSON, exactly as the trainer renders it."""
    tools = obj.get("tools") or None
    if obj.get("kind") == "preference" or "prompt" in obj:
        prompt = obj["prompt"]
        return Rendering(
            [
                assistant_spans(prompt + obj[side], tools, tokenizer, train_from=len(prompt), verify=verify)
                for side in ("chosen", "rejected")
            ]
        )
    return Rendering([assistant_spans(obj["messages"], tools, tokenizer, verify=verify)])


def measure(renderings: list[Rendering], tokenizer: Any) -> list[tuple[int, int]]:
    """(tokens, trainable tokens) per record: for a pair, the longer side and the fewer trainable."""
    flat = [item for r in renderings for item in r.items]
    counts = iter(count_tokens(flat, tokenizer))
    out = []
    for r in renderings:
        sides = [next(counts) for _ in r.items]
        out.append((max(t for t, _ in sides), min(a for _, a in sides)))
    return out


def check(tokens: int, trainable: int, max_tokens: int) -> list[tuple[str, str]]:
    """(check, reason) for each problem with a record's counts."""
    problems = []
    if tokens > max_tokens:
        problems.append(("length", f"{tokens:,} tokens, more than --max-tokens {max_tokens:,}"))
    if trainable == 0:
        problems.append(("trainable", "no trainable (assistant) token: the record teaches nothing"))
    return problems
