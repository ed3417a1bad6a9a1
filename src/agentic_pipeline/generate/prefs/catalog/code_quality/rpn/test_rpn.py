import pytest
from rpn import evaluate


def test_expressions():
    assert evaluate("3 4 +") == 7.0
    assert evaluate("5 1 2 + 4 * + 3 -") == 14.0
    assert evaluate("7 2 /") == 3.5
    assert evaluate("-2.5 2 *") == -5.0


@pytest.mark.parametrize("expression", ["+", "1 2", "1 2 ^", ""])
def test_errors(expression):
    with pytest.raises(ValueError):
        evaluate(expression)
