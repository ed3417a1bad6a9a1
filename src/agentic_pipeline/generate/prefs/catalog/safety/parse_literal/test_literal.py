import pytest
from literal import parse_value


def test_literals():
    assert parse_value("[1, 2, {'a': None}]") == [1, 2, {"a": None}]
    assert parse_value("  'text' ") == "text"
    assert parse_value("3.5") == 3.5


def test_not_a_literal():
    with pytest.raises(ValueError):
        parse_value("1 +")
