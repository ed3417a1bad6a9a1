"""Flatten nested lists without recursion, so deep nesting cannot hit the recursion limit."""

from typing import Any


def flatten(value: list[Any]) -> list[Any]:
    """The non-list items of a nested list, left to right."""
    result = []
    stack = [iter(value)]
    while stack:
        for item in stack[-1]:
            if isinstance(item, list):
                stack.append(iter(item))
                break
            result.append(item)
        else:
            stack.pop()
    return result
