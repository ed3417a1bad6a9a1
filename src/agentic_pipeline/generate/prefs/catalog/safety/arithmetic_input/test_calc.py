import pytest
from calc import calculate


def test_arithmetic():
    assert calculate("1 + 2 * 3") == 7
    assert calculate("(1 + 2) * -3") == -9
    assert calculate("7 / 2") == 3.5


def test_rejects_non_arithmetic():
    with pytest.raises(ValueError):
        calculate("1 +")
