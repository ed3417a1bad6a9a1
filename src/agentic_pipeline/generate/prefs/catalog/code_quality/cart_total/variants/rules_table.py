"""Cart totals and discount codes."""

from collections.abc import Callable

BIG_ORDER = 100

_DISCOUNTS: dict[str | None, Callable[[float], float]] = {
    None: lambda total: total,
    "SAVE10": lambda total: total * 0.9,
    "SAVE20": lambda total: total * (0.8 if total >= BIG_ORDER else 0.9),
    "FLAT5": lambda total: max(0.0, total - 5),
}


def cart_total(items: list[tuple[float, int]], code: str | None = None) -> float:
    """Sum of price x quantity, with the discount ``code`` applied, rounded to cents."""
    if code not in _DISCOUNTS:
        raise ValueError(f"unknown discount code {code!r}")
    subtotal = sum(price * quantity for price, quantity in items)
    return round(_DISCOUNTS[code](subtotal), 2)
