"""A reverse Polish notation calculator."""

import operator

_OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


def evaluate(expression: str) -> float:
    """The value of a space-separated RPN expression."""
    stack: list[float] = []
    for token in expression.split():
        if token in _OPERATORS:
            if len(stack) < 2:
                raise ValueError(f"{token!r} needs two operands")
            right = stack.pop()
            stack.append(_OPERATORS[token](stack.pop(), right))
        else:
            try:
                stack.append(float(token))
            except ValueError:
                raise ValueError(f"unknown token {token!r}") from None
    if len(stack) != 1:
        raise ValueError(f"expected one result, {len(stack)} values left")
    return stack[0]
