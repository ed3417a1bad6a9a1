"""Matrices as lists of rows of Fractions: products, transpose, determinant, rank, inverse, solve."""

from __future__ import annotations

from fractions import Fraction

from linalg.vectors import dot

Matrix = list[list[Fraction]]


def from_rows(rows: list[list[int | Fraction]]) -> Matrix:
    """A matrix of Fractions from rows of numbers; rows must be non-empty and equally long."""
    if not rows or not rows[0]:
        raise ValueError("a matrix needs at least one row and one column")
    width = len(rows[0])
    if any(len(row) != width for row in rows):
        raise ValueError("rows differ in length")
    return [[Fraction(x) for x in row] for row in rows]


def identity(size: int) -> Matrix:
    return [[Fraction(int(i == j)) for j in range(size)] for i in range(size)]


def transpose(m: Matrix) -> Matrix:
    return [list(column) for column in zip(*m)]


def multiply(a: Matrix, b: Matrix) -> Matrix:
    """The product a @ b; a's column count must equal b's row count."""
    if len(a[0]) != len(b):
        raise ValueError(f"cannot multiply {len(a)}x{len(a[0])} by {len(b)}x{len(b[0])}")
    columns = transpose(b)
    return [[dot(row, column) for column in columns] for row in a]


def power(m: Matrix, exponent: int) -> Matrix:
    """m raised to a non-negative integer power, by repeated squaring."""
    if exponent < 0:
        raise ValueError("exponent must be non-negative")
    result = identity(len(m))
    base = m
    while exponent > 0:
        if exponent % 2 == 1:
            result = multiply(result, base)
        base = multiply(base, base)
        exponent //= 2
    return result


def determinant(m: Matrix) -> Fraction:
    """Determinant by Gaussian elimination (exact)."""
    if len(m) != len(m[0]):
        raise ValueError("determinant of a non-square matrix")
    work = [row[:] for row in m]
    n = len(work)
    result = Fraction(1)
    for col in range(n):
        pivot = next((r for r in range(col, n) if work[r][col] != 0), None)
        if pivot is None:
            return Fraction(0)
        if pivot != col:
            work[col], work[pivot] = work[pivot], work[col]
            result = -result
        result *= work[col][col]
        for r in range(col + 1, n):
            factor = work[r][col] / work[col][col]
            work[r] = [x - factor * y for x, y in zip(work[r], work[col])]
    return result


def rank(m: Matrix) -> int:
    """Number of linearly independent rows."""
    work = [row[:] for row in m]
    rows, cols = len(work), len(work[0])
    rank_found = 0
    for col in range(cols):
        pivot = next((r for r in range(rank_found, rows) if work[r][col] != 0), None)
        if pivot is None:
            continue
        work[rank_found], work[pivot] = work[pivot], work[rank_found]
        for r in range(rank_found + 1, rows):
            factor = work[r][col] / work[rank_found][col]
            work[r] = [x - factor * y for x, y in zip(work[r], work[rank_found])]
        rank_found += 1
    return rank_found


def inverse(m: Matrix) -> Matrix:
    """The inverse by Gauss-Jordan elimination; a singular matrix is a ValueError."""
    n = len(m)
    if n != len(m[0]):
        raise ValueError("inverse of a non-square matrix")
    work = [row[:] + ident for row, ident in zip(m, identity(n))]
    for col in range(n):
        pivot = next((r for r in range(col, n) if work[r][col] != 0), None)
        if pivot is None:
            raise ValueError("matrix is singular")
        work[col], work[pivot] = work[pivot], work[col]
        lead = work[col][col]
        work[col] = [x / lead for x in work[col]]
        for r in range(n):
            if r != col and work[r][col] != 0:
                factor = work[r][col]
                work[r] = [x - factor * y for x, y in zip(work[r], work[col])]
    return [row[n:] for row in work]


def solve(a: Matrix, b: list[Fraction]) -> list[Fraction]:
    """The x with a @ x == b for a square, non-singular a."""
    if len(b) != len(a):
        raise ValueError("right-hand side length differs from the row count")
    inv = inverse(a)
    return [dot(row, b) for row in inv]
