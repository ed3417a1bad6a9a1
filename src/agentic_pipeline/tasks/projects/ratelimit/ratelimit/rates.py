"""Parse rate strings like "100/minute" or "5/10s" into (requests, seconds)."""

from __future__ import annotations

UNITS = {"s": 1, "second": 1, "m": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_period(text: str) -> float:
    """Seconds in a period: "minute" -> 60, "10s" -> 10, "2h" -> 7200, "1.5m" -> 90."""
    text = text.strip().lower()
    digits = 0
    while digits < len(text) and (text[digits].isdigit() or text[digits] == "."):
        digits += 1
    count_text, unit = text[:digits], text[digits:].strip()
    if len(unit) > 2 and unit.endswith("s") and unit[:-1] in UNITS:
        unit = unit[:-1]  # "minutes" -> "minute", but "ms" is not "m"
    if unit not in UNITS:
        raise ValueError(f"unknown period unit in {text!r}")
    count = float(count_text) if count_text else 1.0
    if count <= 0:
        raise ValueError(f"period must be positive: {text!r}")
    return count * UNITS[unit]


def parse_rate(text: str) -> tuple[int, float]:
    """ "100/minute" -> (100, 60.0)."""
    amount_text, sep, period_text = text.partition("/")
    if not sep:
        raise ValueError(f"expected '<count>/<period>', got {text!r}")
    amount_text = amount_text.strip()
    if not amount_text.isdigit() or int(amount_text) == 0:
        raise ValueError(f"request count must be a positive integer in {text!r}")
    return int(amount_text), parse_period(period_text)


def format_rate(requests: int, seconds: float) -> str:
    """The shortest rate string for (requests, seconds): (100, 60) -> "100/minute", (5, 10) -> "5/10s"."""
    for name, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        if seconds == size:
            return f"{requests}/{name}"
    for short, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{requests}/{int(seconds // size)}{short}"
    return f"{requests}/{seconds:g}s"
