"""Invitation codes."""

import secrets
import string

ALPHABET = "".join(c for c in string.ascii_uppercase + string.digits if c not in "0O1I")


def new_invite_code(length: int = 10) -> str:
    """A code from the operating system's CSPRNG: knowing earlier codes does not help guess the next."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))
