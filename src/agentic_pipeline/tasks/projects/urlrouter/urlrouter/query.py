"""Percent-encoding and query strings (application/x-www-form-urlencoded), written out by hand."""

from __future__ import annotations

SAFE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def percent_encode(text: str, safe: str = "") -> str:
    """Encode every byte of the UTF-8 text outside the unreserved set (and `safe`) as %XX."""
    allowed = SAFE | set(safe)
    out = []
    for char in text:
        if char in allowed:
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
    return "".join(out)


def percent_decode(text: str, plus_is_space: bool = False) -> str:
    """Decode %XX escapes (and '+' as a space in query strings); a bad escape is a ValueError."""
    data = bytearray()
    i = 0
    while i < len(text):
        char = text[i]
        if char == "%":
            pair = text[i + 1 : i + 3]
            if len(pair) < 2 or any(c not in "0123456789abcdefABCDEF" for c in pair):
                raise ValueError(f"bad percent escape at position {i} in {text!r}")
            data.append(int(pair, 16))
            i += 3
            continue
        if char == "+" and plus_is_space:
            data.append(ord(" "))
        else:
            data.extend(char.encode("utf-8"))
        i += 1
    return data.decode("utf-8")


def parse_query(query: str) -> dict[str, list[str]]:
    """ "a=1&b=2&a=3" -> {"a": ["1", "3"], "b": ["2"]}; a key without '=' gets an empty value."""
    result: dict[str, list[str]] = {}
    for pair in query.lstrip("?").split("&"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        result.setdefault(percent_decode(key, True), []).append(percent_decode(value, True))
    return result


def build_query(params: dict[str, str | int | list[str | int]]) -> str:
    """Inverse of parse_query; keys are sorted so the output is stable, spaces become '+'."""
    pairs = []
    for key in sorted(params):
        values = params[key] if isinstance(params[key], list) else [params[key]]
        for value in values:
            encoded_key = percent_encode(key, " ").replace(" ", "+")
            encoded_value = percent_encode(str(value), " ").replace(" ", "+")
            pairs.append(f"{encoded_key}={encoded_value}")
    return "&".join(pairs)
