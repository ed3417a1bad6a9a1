"""Integers and bytes in base N with custom alphabets, and the Luhn check digit."""

from __future__ import annotations

BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"  # no 0, O, I, l
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _check_alphabet(alphabet: str) -> None:
    if len(alphabet) < 2 or len(set(alphabet)) != len(alphabet):
        raise ValueError("an alphabet needs at least two distinct symbols")


def encode_int(number: int, alphabet: str = BASE62) -> str:
    """A non-negative integer in base len(alphabet); 0 is the first symbol."""
    _check_alphabet(alphabet)
    if number < 0:
        raise ValueError("number must not be negative")
    base = len(alphabet)
    digits = []
    while True:
        number, remainder = divmod(number, base)
        digits.append(alphabet[remainder])
        if number == 0:
            break
    return "".join(reversed(digits))


def decode_int(text: str, alphabet: str = BASE62) -> int:
    """Inverse of encode_int; an unknown symbol is a ValueError naming its position."""
    _check_alphabet(alphabet)
    if not text:
        raise ValueError("empty string")
    positions = {symbol: value for value, symbol in enumerate(alphabet)}
    number = 0
    for index, symbol in enumerate(text):
        if symbol not in positions:
            raise ValueError(f"invalid symbol {symbol!r} at position {index}")
        number = number * len(alphabet) + positions[symbol]
    return number


def encode_bytes(data: bytes, alphabet: str = BASE58) -> str:
    """Bytes as base-N text; each leading zero byte becomes one leading first symbol (as in Base58)."""
    zeros = len(data) - len(data.lstrip(b"\x00"))
    rest = data[zeros:]
    body = encode_int(int.from_bytes(rest, "big"), alphabet) if rest else ""
    return alphabet[0] * zeros + body


def decode_bytes(text: str, alphabet: str = BASE58) -> bytes:
    """Inverse of encode_bytes."""
    zeros = len(text) - len(text.lstrip(alphabet[0]))
    rest = text[zeros:]
    if not rest:
        return b"\x00" * zeros
    number = decode_int(rest, alphabet)
    return b"\x00" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")


def luhn_check_digit(digits: str) -> int:
    """The digit that makes `digits` + it pass the Luhn check."""
    if not digits.isdigit():
        raise ValueError("Luhn works on decimal digits")
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def luhn_valid(number: str) -> bool:
    """Whether a number (spaces allowed) ends with its correct Luhn check digit."""
    compact = number.replace(" ", "")
    if len(compact) < 2 or not compact.isdigit():
        return False
    return luhn_check_digit(compact[:-1]) == int(compact[-1])
