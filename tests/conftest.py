"""Shared fixtures. Tests are real: a real sandbox, real files, real training steps on a tiny model."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def tiny_tokenizer():
    """The package's locally built tokenizer (Qwen2.5 chat template), built once per session."""
    from agentic_pipeline.tiny import load_tokenizer

    return load_tokenizer(None)
