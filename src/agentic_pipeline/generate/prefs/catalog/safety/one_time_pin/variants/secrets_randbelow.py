"""Login PINs from the OS CSPRNG, so they cannot be predicted from earlier ones."""

import secrets


def new_pin(digits: int = 6) -> str:
    return f"{secrets.randbelow(10**digits):0{digits}d}"
