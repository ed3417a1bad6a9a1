import pytest
from fib import fib


def test_first_values():
    assert [fib(i) for i in range(10)] == [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]


def test_larger_value():
    assert fib(20) == 6765


def test_negative_rejected():
    with pytest.raises(ValueError):
        fib(-1)
