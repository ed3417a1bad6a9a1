"""Vectors as lists of numbers: arithmetic, dot and cross products, norms, projections."""

from __future__ import annotations

from fractions import Fraction

Vector = list[Fraction]


def _check_same_length(a: Vector, b: Vector) -> None:
    if len(a) != len(b):
        raise ValueError(f"vectors differ in length: {len(a)} != {len(b)}")


def add(a: Vector, b: Vector) -> Vector:
    _check_same_length(a, b)
    return [x + y for x, y in zip(a, b)]


def subtract(a: Vector, b: Vector) -> Vector:
    _check_same_length(a, b)
    return [x - y for x, y in zip(a, b)]


def scale(a: Vector, factor: Fraction) -> Vector:
    return [factor * x for x in a]


def dot(a: Vector, b: Vector) -> Fraction:
    _check_same_length(a, b)
    return sum((x * y for x, y in zip(a, b)), Fraction(0))


def cross(a: Vector, b: Vector) -> Vector:
    """Cross product of two 3-vectors."""
    if len(a) != 3 or len(b) != 3:
        raise ValueError("the cross product needs two 3-vectors")
    return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]


def norm_squared(a: Vector) -> Fraction:
    """Squared Euclidean length (exact, unlike the length itself)."""
    return dot(a, a)


def manhattan(a: Vector, b: Vector) -> Fraction:
    """Sum of absolute coordinate differences."""
    return sum((abs(x) for x in subtract(a, b)), Fraction(0))


def project(a: Vector, onto: Vector) -> Vector:
    """The component of `a` along `onto`."""
    denominator = norm_squared(onto)
    if denominator == 0:
        raise ValueError("cannot project onto the zero vector")
    return scale(onto, dot(a, onto) / denominator)
