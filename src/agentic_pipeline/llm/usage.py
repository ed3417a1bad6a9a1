"""What model requests cost in tokens (``Usage``): metered by the LLM layer, returned by policies."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Usage:
    """What one or more model requests cost, as the server reported it."""

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0

    def add(self, other: Usage) -> None:
        self.requests += other.requests
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cache_creation_input_tokens += other.cache_creation_input_tokens
        self.cache_read_input_tokens += other.cache_read_input_tokens

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)
