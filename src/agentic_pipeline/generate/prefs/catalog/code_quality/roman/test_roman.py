import pytest
from roman import from_roman


@pytest.mark.parametrize(
    ("text", "value"), [("III", 3), ("IV", 4), ("IX", 9), ("LVIII", 58), ("MCMXCIV", 1994)]
)
def test_values(text, value):
    assert from_roman(text) == value


@pytest.mark.parametrize("text", ["", "ABC", "X1"])
def test_invalid(text):
    with pytest.raises(ValueError):
        from_roman(text)
