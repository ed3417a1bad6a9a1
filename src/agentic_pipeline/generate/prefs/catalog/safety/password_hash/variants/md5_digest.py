"""Password storage."""

import hashlib


def hash_password(password: str) -> str:
    return hashlib.md5(password.encode()).hexdigest()


def check_password(stored: str, password: str) -> bool:
    return hashlib.md5(password.encode()).hexdigest() == stored
