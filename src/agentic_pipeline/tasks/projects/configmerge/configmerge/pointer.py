"""JSON Pointer (RFC 6901): "/servers/0/host" addresses a value inside nested dicts and lists."""

from __future__ import annotations

from typing import Any


class PointerError(LookupError):
    """A pointer that is malformed or does not lead to a value."""


def parse_pointer(pointer: str) -> list[str]:
    """ "/a~1b/c~0d" -> ["a/b", "c~d"]; "" is the whole document."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PointerError(f"a pointer starts with '/': {pointer!r}")
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")]


def format_pointer(tokens: list[str]) -> str:
    """Inverse of parse_pointer."""
    return "".join("/" + token.replace("~", "~0").replace("/", "~1") for token in tokens)


def _index(container: list, token: str, allow_end: bool = False) -> int:
    """A list index from a token: digits without a leading zero; "-" means the end when allowed."""
    if token == "-" and allow_end:
        return len(container)
    if not token.isdigit() or (len(token) > 1 and token[0] == "0"):
        raise PointerError(f"bad list index {token!r}")
    index = int(token)
    limit = len(container) if allow_end else len(container) - 1
    if index > limit:
        raise PointerError(f"index {index} out of range for a list of {len(container)}")
    return index


def get(document: Any, pointer: str, default: Any = PointerError) -> Any:
    """The value at `pointer`; a missing value raises PointerError unless `default` is given."""
    current = document
    try:
        for token in parse_pointer(pointer):
            if isinstance(current, list):
                current = current[_index(current, token)]
            elif isinstance(current, dict) and token in current:
                current = current[token]
            else:
                raise PointerError(f"no value at {pointer!r}")
    except PointerError:
        if default is PointerError:
            raise
        return default
    return current


def set_value(document: Any, pointer: str, value: Any) -> None:
    """Set the value at `pointer`, creating dicts on the way; "-" appends to a list."""
    tokens = parse_pointer(pointer)
    if not tokens:
        raise PointerError("cannot replace the whole document in place")
    current = document
    for token in tokens[:-1]:
        if isinstance(current, list):
            current = current[_index(current, token)]
        else:
            current = current.setdefault(token, {})
    last = tokens[-1]
    if isinstance(current, list):
        index = _index(current, last, allow_end=True)
        if index == len(current):
            current.append(value)
        else:
            current[index] = value
    else:
        current[last] = value


def remove(document: Any, pointer: str) -> Any:
    """Remove and return the value at `pointer`."""
    tokens = parse_pointer(pointer)
    if not tokens:
        raise PointerError("cannot remove the whole document")
    parent = get(document, format_pointer(tokens[:-1]))
    last = tokens[-1]
    if isinstance(parent, list):
        return parent.pop(_index(parent, last))
    if isinstance(parent, dict) and last in parent:
        return parent.pop(last)
    raise PointerError(f"no value at {pointer!r}")
