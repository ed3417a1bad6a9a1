import pytest
from settings import parse_settings


def test_values_and_types():
    text = "# comment\nname = demo\n\nport= 8080\ndebug = TRUE\nverbose=false\n"
    assert parse_settings(text) == {"name": "demo", "port": 8080, "debug": True, "verbose": False}


def test_missing_equals_names_line():
    with pytest.raises(ValueError, match="line 2"):
        parse_settings("a = 1\nbroken\n")


def test_empty():
    assert parse_settings("") == {}
