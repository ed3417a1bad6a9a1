"""Policies: messages + tools in, one assistant message out (oracle, Anthropic, OpenAI-compatible)."""
