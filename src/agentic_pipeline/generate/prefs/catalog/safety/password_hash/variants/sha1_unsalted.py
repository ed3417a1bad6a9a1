"""Password storage."""

import hashlib


def hash_password(password: str) -> str:
    return hashlib.sha1(password.encode()).hexdigest()


def check_password(stored: str, password: str) -> bool:
    return hash_password(password) == stored
