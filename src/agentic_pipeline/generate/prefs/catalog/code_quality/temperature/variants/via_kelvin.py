"""Temperature conversion through Kelvin, so each scale needs one pair of formulas."""

_TO_KELVIN = {
    "C": lambda v: v + 273.15,
    "F": lambda v: (v - 32) * 5 / 9 + 273.15,
    "K": lambda v: v,
}
_FROM_KELVIN = {
    "C": lambda k: k - 273.15,
    "F": lambda k: (k - 273.15) * 9 / 5 + 32,
    "K": lambda k: k,
}


def convert(value: float, source: str, target: str) -> float:
    """``value`` in scale ``source`` expressed in scale ``target`` (C, F or K)."""
    for scale in (source, target):
        if scale not in _TO_KELVIN:
            raise ValueError(f"unknown scale {scale!r}; expected C, F or K")
    return round(_FROM_KELVIN[target](_TO_KELVIN[source](value)), 2)
