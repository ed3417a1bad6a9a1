import pytest

from exprcalc.lexer import ExpressionError, Token, read_number, tokenize


def test_tokenize_kinds_and_positions():
    assert tokenize("x1 + 2.5*(y_2)") == [
        Token("name", "x1", 0),
        Token("op", "+", 3),
        Token("number", "2.5", 5),
        Token("op", "*", 8),
        Token("op", "(", 9),
        Token("name", "y_2", 10),
        Token("op", ")", 13),
        Token("end", "", 14),
    ]


def test_tokenize_empty_and_whitespace():
    assert tokenize("") == [Token("end", "", 0)]
    assert tokenize(" \t ") == [Token("end", "", 3)]


def test_tokenize_numbers_forms():
    assert [t.text for t in tokenize(".5 5. 10")][:3] == [".5", "5.", "10"]
    assert [t.kind for t in tokenize("_a,b")] == ["name", "op", "name", "end"]


def test_read_number():
    assert read_number("123+", 0) == 3
    assert read_number("x=4.25", 2) == 6
    assert read_number("7", 0) == 1


def test_number_errors():
    with pytest.raises(ExpressionError, match="second decimal point at position 3"):
        tokenize("1.2.3")
    with pytest.raises(ExpressionError, match="lone decimal point at position 2") as info:
        tokenize("1 . 2")
    assert info.value.position == 2


def test_unexpected_character():
    with pytest.raises(ExpressionError, match="unexpected character '\\$' at position 4"):
        tokenize("1 + $x")
