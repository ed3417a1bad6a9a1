"""Invitation codes."""

import random
import string
import time

ALPHABET = "".join(c for c in string.ascii_uppercase + string.digits if c not in "0O1I")
_generator = random.Random(time.time_ns())


def new_invite_code(length: int = 10) -> str:
    return "".join(_generator.choice(ALPHABET) for _ in range(length))
