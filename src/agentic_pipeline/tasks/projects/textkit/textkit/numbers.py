"""Roman numerals and human-readable byte sizes, both ways."""

from __future__ import annotations

ROMAN = [
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
]
SIZE_UNITS = ["B", "KB", "MB", "GB", "TB"]


def to_roman(number: int) -> str:
    """1994 -> "MCMXCIV"; defined for 1 to 3999."""
    if not 1 <= number <= 3999:
        raise ValueError("Roman numerals cover 1 to 3999")
    out = []
    for value, symbol in ROMAN:
        count, number = divmod(number, value)
        out.append(symbol * count)
    return "".join(out)


def from_roman(text: str) -> int:
    """ "MCMXCIV" -> 1994; only canonical numerals are accepted."""
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    upper = text.strip().upper()
    if not upper or any(char not in values for char in upper):
        raise ValueError(f"not a Roman numeral: {text!r}")
    total = 0
    for i, char in enumerate(upper):
        value = values[char]
        if i + 1 < len(upper) and values[upper[i + 1]] > value:
            total -= value
        else:
            total += value
    if total < 1 or total > 3999 or to_roman(total) != upper:
        raise ValueError(f"not a canonical Roman numeral: {text!r}")
    return total


def human_size(size: int, base: int = 1024, decimals: int = 1) -> str:
    """1536 -> "1.5 KB"; bytes are shown without decimals."""
    if size < 0:
        raise ValueError("size must not be negative")
    value = float(size)
    unit = 0
    while value >= base and unit < len(SIZE_UNITS) - 1:
        value /= base
        unit += 1
    if unit == 0:
        return f"{size} B"
    return f"{value:.{decimals}f} {SIZE_UNITS[unit]}"


def parse_size(text: str, base: int = 1024) -> int:
    """ "1.5 KB" -> 1536, "10MB" -> 10485760, "512" -> 512 (bytes); rounds to a whole byte."""
    cleaned = text.strip().upper()
    unit_index = 0
    for index in range(len(SIZE_UNITS) - 1, 0, -1):
        if cleaned.endswith(SIZE_UNITS[index]):
            unit_index = index
            cleaned = cleaned[: -len(SIZE_UNITS[index])]
            break
    else:
        cleaned = cleaned.removesuffix("B")
    try:
        number = float(cleaned.strip())
    except ValueError:
        raise ValueError(f"not a size: {text!r}") from None
    if number < 0:
        raise ValueError(f"size must not be negative: {text!r}")
    return round(number * base**unit_index)
