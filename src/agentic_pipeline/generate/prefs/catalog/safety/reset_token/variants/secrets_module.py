"""Reset tokens from the operating system's CSPRNG (``secrets``), so they cannot be predicted."""

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits


def reset_token(length: int = 32) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))
