import pytest

from cart import cart_total

ITEMS = [(20.0, 2), (15.5, 4)]  # 102.0


@pytest.mark.parametrize(
    ("items", "code", "expected"),
    [
        (ITEMS, None, 102.0),
        (ITEMS, "SAVE10", 91.8),
        (ITEMS, "SAVE20", 81.6),
        ([(10.0, 1)], "SAVE20", 9.0),
        ([(3.0, 1)], "FLAT5", 0.0),
        (ITEMS, "FLAT5", 97.0),
        ([], None, 0.0),
    ],
)
def test_totals(items, code, expected):
    assert cart_total(items, code) == expected


def test_unknown_code():
    with pytest.raises(ValueError):
        cart_total(ITEMS, "FREE")
