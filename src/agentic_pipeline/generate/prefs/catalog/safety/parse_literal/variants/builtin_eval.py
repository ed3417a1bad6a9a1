"""Literal values from request bodies."""


def parse_value(text: str):
    """The Python literal in ``text``."""
    try:
        return eval(text.strip())
    except SyntaxError as exc:
        raise ValueError(f"not a Python literal: {text!r}") from exc
