"""Webhook signatures."""

import hashlib


def sign(secret: bytes, body: bytes) -> str:
    return hashlib.md5(secret + body).hexdigest()


def verify(secret: bytes, body: bytes, signature: str) -> bool:
    return sign(secret, body) == signature
