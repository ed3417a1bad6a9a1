import pytest
from temperature import convert


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        (100, "C", "F", 212.0),
        (32, "F", "C", 0.0),
        (0, "C", "K", 273.15),
        (0, "K", "F", -459.67),
        (5, "C", "C", 5.0),
    ],
)
def test_conversions(value, source, target, expected):
    assert convert(value, source, target) == expected


def test_unknown_scale():
    with pytest.raises(ValueError):
        convert(1, "C", "X")
