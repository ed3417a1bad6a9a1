"""Batching."""

from typing import TypeVar

T = TypeVar("T")


def batches(items: list[T], size: int) -> list[list[T]]:
    """Consecutive slices of ``size`` items; the last may be shorter."""
    if size <= 0:
        raise ValueError(f"size must be positive, got {size}")
    return [items[start : start + size] for start in range(0, len(items), size)]
