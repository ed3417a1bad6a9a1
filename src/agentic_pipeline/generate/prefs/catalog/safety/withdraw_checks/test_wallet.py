import pytest
from wallet import withdraw


def test_withdraw():
    assert withdraw(1000, 250) == 750
    assert withdraw(250, 250) == 0


@pytest.mark.parametrize("amount", [0, -5, 1001])
def test_refused(amount):
    with pytest.raises(Exception):
        withdraw(1000, amount)


def test_refuses_non_integer_amount():
    with pytest.raises(Exception):
        withdraw(1000, 2.5)
