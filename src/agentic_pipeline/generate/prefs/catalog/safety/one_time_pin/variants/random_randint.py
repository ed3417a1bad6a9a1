"""Login PINs."""

import random


def new_pin(digits: int = 6) -> str:
    return f"{random.randint(0, 10**digits - 1):0{digits}d}"
