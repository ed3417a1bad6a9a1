"""Reset tokens."""

import random
import string

_ALPHABET = string.ascii_letters + string.digits


def reset_token(length: int = 32) -> str:
    return "".join(_ALPHABET[random.getrandbits(16) % len(_ALPHABET)] for _ in range(length))
