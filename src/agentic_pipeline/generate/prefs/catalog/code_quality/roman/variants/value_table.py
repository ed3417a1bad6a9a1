"""Roman numerals."""

_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def from_roman(text: str) -> int:
    """The value of a Roman numeral; a smaller symbol before a larger one is subtracted."""
    if not text or any(symbol not in _VALUES for symbol in text):
        raise ValueError(f"not a Roman numeral: {text!r}")
    values = [_VALUES[symbol] for symbol in text]
    total = values[-1]
    for current, following in zip(values, values[1:]):
        total += -current if current < following else current
    return total
