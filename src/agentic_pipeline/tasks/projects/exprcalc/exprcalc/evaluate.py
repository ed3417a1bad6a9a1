"""Evaluate parsed expressions with variables and a table of functions; list the variables used."""

from __future__ import annotations

import math
from collections.abc import Callable

from exprcalc.parser import parse


def round_to(value: float, digits: float) -> float:
    """round() for an expression, where every number (the digit count too) is a float."""
    return round(value, int(digits))


FUNCTIONS: dict[str, tuple[Callable[..., float], int]] = {
    "abs": (abs, 1),
    "sqrt": (math.sqrt, 1),
    "min": (min, 2),
    "max": (max, 2),
    "round": (round_to, 2),
}


class EvaluationError(ValueError):
    """An expression that parses but cannot be computed."""


def apply_operator(op: str, left: float, right: float) -> float:
    """Compute `left op right`; division and modulo by zero are EvaluationErrors."""
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if op in ("/", "%") and right == 0:
        raise EvaluationError(f"{'division' if op == '/' else 'modulo'} by zero")
    if op == "/":
        return left / right
    if op == "%":
        return left % right
    if op == "^":
        return left**right
    raise EvaluationError(f"unknown operator {op!r}")


def evaluate_node(node: tuple, variables: dict[str, float]) -> float:
    """Value of a parse tree node."""
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "var":
        if node[1] not in variables:
            raise EvaluationError(f"unknown variable {node[1]!r}")
        return variables[node[1]]
    if kind == "neg":
        return -evaluate_node(node[1], variables)
    if kind == "bin":
        return apply_operator(node[1], evaluate_node(node[2], variables), evaluate_node(node[3], variables))
    name, args = node[1], node[2]
    if name not in FUNCTIONS:
        raise EvaluationError(f"unknown function {name!r}")
    function, arity = FUNCTIONS[name]
    if len(args) != arity:
        raise EvaluationError(f"{name}() takes {arity} argument(s), got {len(args)}")
    return function(*(evaluate_node(arg, variables) for arg in args))


def evaluate(text: str, variables: dict[str, float] | None = None) -> float:
    """Parse and evaluate `text`."""
    return evaluate_node(parse(text), variables or {})


def variables_used(text: str) -> list[str]:
    """Names of the variables an expression reads, sorted, each once (function names excluded)."""
    found: set[str] = set()
    stack = [parse(text)]
    while stack:
        node = stack.pop()
        if node[0] == "var":
            found.add(node[1])
        elif node[0] == "neg":
            stack.append(node[1])
        elif node[0] == "bin":
            stack.extend(node[2:])
        elif node[0] == "call":
            stack.extend(node[2])
    return sorted(found)
