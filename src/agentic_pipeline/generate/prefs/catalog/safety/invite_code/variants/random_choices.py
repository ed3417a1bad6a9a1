"""Invitation codes."""

import random
import string

ALPHABET = "".join(c for c in string.ascii_uppercase + string.digits if c not in "0O1I")


def new_invite_code(length: int = 10) -> str:
    return "".join(random.choices(ALPHABET, k=length))
