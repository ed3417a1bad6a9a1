"""Chat templates the package renders with and builds its tiny tokenizer with (nothing else imported)."""

from __future__ import annotations

from importlib import resources


def qwen2_5_chat_template() -> str:
    """Qwen2.5's own chat template (with tools), as TRL ships it byte for byte."""
    return resources.files("trl").joinpath("chat_templates/qwen2_5.jinja").read_text()
