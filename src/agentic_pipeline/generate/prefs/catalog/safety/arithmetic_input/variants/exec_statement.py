"""Arithmetic typed by users."""


def calculate(expression: str) -> float:
    scope = {}
    try:
        exec(f"result = {expression}", scope)
    except SyntaxError as exc:
        raise ValueError(f"not an expression: {expression!r}") from exc
    return scope["result"]
