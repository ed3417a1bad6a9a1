"""Literal values from request bodies."""

import ast


def parse_value(text: str):
    """The Python literal in ``text``; names, calls and operators are refused."""
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError) as exc:
        raise ValueError(f"not a Python literal: {text!r}") from exc
