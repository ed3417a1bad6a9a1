"""Split an expression into tokens: numbers, names, operators and parentheses."""

from __future__ import annotations

from typing import NamedTuple

OPERATORS = "+-*/%^(),"


class Token(NamedTuple):
    kind: str  # "number", "name", "op" or "end"
    text: str
    position: int


class ExpressionError(ValueError):
    """A malformed expression; `position` is the index of the offending character."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} at position {position}")
        self.position = position


def read_number(text: str, start: int) -> int:
    """Index just past the number starting at `start` (digits with at most one decimal point)."""
    end = start
    seen_point = False
    while end < len(text) and (text[end].isdigit() or text[end] == "."):
        if text[end] == ".":
            if seen_point:
                raise ExpressionError("second decimal point", end)
            seen_point = True
        end += 1
    if end - start == 1 and seen_point:
        raise ExpressionError("lone decimal point", start)
    return end


def tokenize(text: str) -> list[Token]:
    """Tokens of `text`, ending with an "end" token; unknown characters raise ExpressionError."""
    tokens = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char.isdigit() or char == ".":
            end = read_number(text, i)
            tokens.append(Token("number", text[i:end], i))
            i = end
        elif char.isalpha() or char == "_":
            end = i + 1
            while end < len(text) and (text[end].isalnum() or text[end] == "_"):
                end += 1
            tokens.append(Token("name", text[i:end], i))
            i = end
        elif char in OPERATORS:
            tokens.append(Token("op", char, i))
            i += 1
        else:
            raise ExpressionError(f"unexpected character {char!r}", i)
    tokens.append(Token("end", "", len(text)))
    return tokens
