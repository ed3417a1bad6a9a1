import math

import pytest

from exprcalc.evaluate import (
    EvaluationError,
    apply_operator,
    evaluate,
    evaluate_node,
    round_to,
    variables_used,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("10 - 4 - 3", 3.0),
        ("2 ^ 3 ^ 2", 512.0),
        ("-2 ^ 2", -4.0),
        ("2 ^ -1", 0.5),
        ("7 % 4 * 2", 6.0),
        ("9 / 3 / 3", 1.0),
        ("-(3 - 5)", 2.0),
        ("sqrt(16) + abs(-2)", 6.0),
        ("max(2, 7) - min(2, 7)", 5.0),
        ("round(2.567, 2)", 2.57),
    ],
)
def test_evaluate(text, value):
    assert evaluate(text) == value


def test_variables():
    assert evaluate("price * qty - discount", {"price": 2.5, "qty": 4, "discount": 1}) == 9.0
    assert evaluate("x ^ 2 + x", {"x": 3}) == 12.0
    with pytest.raises(EvaluationError, match="unknown variable 'y'"):
        evaluate("x + y", {"x": 1})


def test_apply_operator():
    assert apply_operator("+", 2, 3) == 5
    assert apply_operator("-", 2, 3) == -1
    assert apply_operator("*", 2, 3) == 6
    assert apply_operator("/", 3, 2) == 1.5
    assert apply_operator("%", -1, 3) == 2
    assert apply_operator("^", 2, 10) == 1024
    with pytest.raises(EvaluationError, match="unknown operator '&'"):
        apply_operator("&", 1, 1)


def test_division_and_modulo_by_zero():
    with pytest.raises(EvaluationError, match="division by zero"):
        evaluate("1 / (2 - 2)")
    with pytest.raises(EvaluationError, match="modulo by zero"):
        evaluate("5 % 0")
    assert evaluate("0 / 5") == 0.0


def test_function_errors():
    with pytest.raises(EvaluationError, match="unknown function 'cube'"):
        evaluate("cube(2)")
    with pytest.raises(EvaluationError, match=r"max\(\) takes 2 argument\(s\), got 1"):
        evaluate("max(1)")
    with pytest.raises(EvaluationError, match=r"sqrt\(\) takes 1 argument\(s\), got 0"):
        evaluate("sqrt()")


def test_evaluate_node_directly():
    assert evaluate_node(("bin", "-", ("var", "a"), ("num", 1.0)), {"a": 5}) == 4
    assert evaluate_node(("call", "sqrt", [("num", 2.0)]), {}) == math.sqrt(2)


def test_round_to():
    assert round_to(2.567, 2.0) == 2.57
    assert round_to(1234.5, -2.0) == 1200


def test_variables_used():
    assert variables_used("b * max(a, -c) + b ^ d") == ["a", "b", "c", "d"]
    assert variables_used("sqrt(2) + 1") == []
