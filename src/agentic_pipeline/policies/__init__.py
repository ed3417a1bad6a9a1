"""Policies: messages + tools in, one assistant message out (oracle, Anthropic, OpenAI-compatible,
a local transformers checkpoint).

``make_policy`` is the factory; the run's ``agentic_pipeline.teacher.Teacher`` is the one caller
in the package (it adds the ledger, the shared limits and the budget around every policy it makes).
"""

from typing import Any

from agentic_pipeline.policies.base import Policy


def _oracle(model: str, base_url: str | None, **opts: Any) -> Policy:
    from agentic_pipeline.policies.oracle import OraclePolicy

    return OraclePolicy(**opts)


def _anthropic(model: str, base_url: str | None, **opts: Any) -> Policy:
    from agentic_pipeline.llm.client import settings_from
    from agentic_pipeline.policies.anthropic_policy import AnthropicPolicy

    thinking, cache = opts.pop("thinking", None), opts.pop("cache", True)
    return AnthropicPolicy(model, settings_from(base_url, **opts), thinking=thinking, cache=cache)


def _openai(model: str, base_url: str | None, **opts: Any) -> Policy:
    from agentic_pipeline.llm.client import settings_from
    from agentic_pipeline.policies.openai_policy import OpenAIPolicy

    return OpenAIPolicy(model, settings_from(base_url, **opts))


def _hf(path: str, base_url: str | None, **opts: Any) -> Policy:
    from agentic_pipeline.policies.hf_policy import DEFAULT_MAX_NEW_TOKENS, HFPolicy

    return HFPolicy(
        path,
        max_new_tokens=opts.get("max_tokens") or DEFAULT_MAX_NEW_TOKENS,
        temperature=opts.get("temperature"),
        device=opts.get("device"),
    )


# Teacher spec prefix -> factory; heavy SDK imports happen only for the policy asked for.
POLICY_FACTORIES = {"oracle": _oracle, "anthropic": _anthropic, "openai": _openai, "hf": _hf}


def make_policy(spec: str, base_url: str | None = None, **opts: Any) -> Policy:
    """``oracle``, ``anthropic:MODEL``, ``openai:MODEL`` or ``hf:PATH`` -> a Policy.

    ``opts`` for the LLM policies (``agentic_pipeline.llm.client.settings_from``): ledger,
    concurrency (model requests in flight), rpm, itpm, otpm, limiter (a shared RateLimiter), timeout,
    max_retries, max_tokens, temperature, retry (a RetryPolicy), http_clients; for Anthropic also
    thinking (``"adaptive"`` or a token budget) and cache. Keys and endpoints come from the SDKs'
    environment variables unless ``base_url`` is given. The oracle takes ``seed``. ``hf:PATH`` (a
    local checkpoint run in this process) takes max_tokens (new tokens per turn), temperature (none:
    greedy) and device, and ignores the rest.
    """
    kind, _, model = spec.partition(":")
    if kind not in POLICY_FACTORIES:
        raise ValueError(
            f"unknown teacher {spec!r}: expected one of oracle, anthropic:MODEL, openai:MODEL, hf:PATH"
        )
    if kind != "oracle" and not model:
        raise ValueError(f"teacher {spec!r} needs a model name, e.g. {kind}:MODEL")
    return POLICY_FACTORIES[kind](model, base_url, **opts)
