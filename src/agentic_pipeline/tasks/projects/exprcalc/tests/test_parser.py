import re

import pytest

from exprcalc.lexer import ExpressionError
from exprcalc.parser import parse


def test_precedence():
    assert parse("1 + 2 * 3") == ("bin", "+", ("num", 1.0), ("bin", "*", ("num", 2.0), ("num", 3.0)))
    assert parse("(1 + 2) * 3") == ("bin", "*", ("bin", "+", ("num", 1.0), ("num", 2.0)), ("num", 3.0))


def test_left_associative():
    assert parse("8 - 3 - 1") == ("bin", "-", ("bin", "-", ("num", 8.0), ("num", 3.0)), ("num", 1.0))
    assert parse("8 / 4 % 3") == ("bin", "%", ("bin", "/", ("num", 8.0), ("num", 4.0)), ("num", 3.0))


def test_power_is_right_associative_and_beats_unary_minus():
    assert parse("2^3^2") == ("bin", "^", ("num", 2.0), ("bin", "^", ("num", 3.0), ("num", 2.0)))
    assert parse("-2^2") == ("neg", ("bin", "^", ("num", 2.0), ("num", 2.0)))
    assert parse("2^-1") == ("bin", "^", ("num", 2.0), ("neg", ("num", 1.0)))
    assert parse("--x") == ("neg", ("neg", ("var", "x")))


def test_calls():
    assert parse("max(a, 2)") == ("call", "max", [("var", "a"), ("num", 2.0)])
    assert parse("f()") == ("call", "f", [])
    assert parse("g(1+1)") == ("call", "g", [("bin", "+", ("num", 1.0), ("num", 1.0))])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "unexpected 'end of input' at position 0"),
        ("1 +", "unexpected 'end of input' at position 3"),
        ("(1 + 2", "expected ')', found 'end of input' at position 6"),
        ("1 2", "unexpected '2' at position 2"),
        ("f(1 2)", "expected ')', found '2' at position 4"),
        ("f(1,)", "unexpected ')' at position 4"),
        ("* 3", "unexpected '*' at position 0"),
        ("1 + 2)", "unexpected ')' at position 5"),
    ],
)
def test_syntax_errors(text, message):
    with pytest.raises(ExpressionError, match=re.escape(message)):
        parse(text)
