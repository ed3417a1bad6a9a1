"""Arithmetic typed by users."""


def calculate(expression: str) -> float:
    try:
        return eval(expression)
    except SyntaxError as exc:
        raise ValueError(f"not an expression: {expression!r}") from exc
