"""Flatten nested lists."""

from collections.abc import Iterator
from typing import Any


def _walk(value: list[Any]) -> Iterator[Any]:
    for item in value:
        if isinstance(item, list):
            yield from _walk(item)
        else:
            yield item


def flatten(value: list[Any]) -> list[Any]:
    """The non-list items of a nested list, left to right."""
    return list(_walk(value))
