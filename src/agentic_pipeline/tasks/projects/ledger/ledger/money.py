"""Money helpers on Decimal: parse, round, format and split amounts without losing a cent."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def parse_amount(text: str) -> Decimal:
    """Parse an amount such as "$1,234.50", "-3" or "(12.00)" (accounting negative)."""
    cleaned = text.strip().replace(",", "").replace("$", "")
    negative = False
    if cleaned.startswith("(") and cleaned.endswith(")"):
        negative = True
        cleaned = cleaned[1:-1].strip()
    if not cleaned:
        raise ValueError(f"empty amount: {text!r}")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"not an amount: {text!r}") from None
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {text!r}")
    return -value if negative else value


def quantize(amount: Decimal, places: int = 2) -> Decimal:
    """Round half up to `places` decimal places."""
    if places < 0:
        raise ValueError("places must be >= 0")
    exponent = Decimal(1).scaleb(-places)
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)


def format_amount(amount: Decimal, currency: str = "$", places: int = 2) -> str:
    """Format with a thousands separator and the sign before the currency: -$1,234.50."""
    rounded = quantize(amount, places)
    sign = "-" if rounded < 0 else ""
    return f"{sign}{currency}{abs(rounded):,.{places}f}"


def split_evenly(total: Decimal, parts: int) -> list[Decimal]:
    """Split `total` into `parts` shares that differ by at most one cent and sum to `total`.

    The leftover cents go to the first shares.
    """
    if parts <= 0:
        raise ValueError("parts must be positive")
    cents = int(quantize(total) / CENT)
    base, remainder = divmod(cents, parts)
    return [(base + (1 if i < remainder else 0)) * CENT for i in range(parts)]


def allocate(total: Decimal, weights: list[int]) -> list[Decimal]:
    """Allocate `total` in proportion to `weights` (largest remainder method, in cents).

    Shares sum exactly to `total`; ties for a leftover cent go to the earlier weight.
    """
    if not weights or any(w < 0 for w in weights):
        raise ValueError("weights must be a non-empty list of non-negative integers")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("weights must not all be zero")
    cents = int(quantize(total) / CENT)
    shares = [cents * w // weight_sum for w in weights]
    remainders = [cents * w % weight_sum for w in weights]
    leftover = cents - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:leftover]:
        shares[i] += 1
    return [share * CENT for share in shares]


def apply_rate(amount: Decimal, rate_percent: Decimal) -> Decimal:
    """Amount plus `rate_percent` percent of it (tax, markup), rounded to the cent."""
    return quantize(amount + amount * rate_percent / 100)
