from fractions import Fraction as F

import pytest

from linalg.matrices import determinant, from_rows, identity, inverse, multiply, power, rank, solve, transpose


def test_from_rows():
    m = from_rows([[1, 2], [3, F(1, 2)]])
    assert m == [[F(1), F(2)], [F(3), F(1, 2)]]
    assert all(isinstance(x, F) for row in m for x in row)
    for bad in ([], [[]], [[1, 2], [3]]):
        with pytest.raises(ValueError):
            from_rows(bad)


def test_identity_and_transpose():
    assert identity(2) == [[1, 0], [0, 1]]
    assert identity(0) == []
    assert transpose(from_rows([[1, 2, 3], [4, 5, 6]])) == [[1, 4], [2, 5], [3, 6]]


def test_multiply():
    a = from_rows([[1, 2], [3, 4]])
    b = from_rows([[5, 6], [7, 8]])
    assert multiply(a, b) == [[19, 22], [43, 50]]
    assert multiply(b, a) == [[23, 34], [31, 46]]
    assert multiply(from_rows([[1, 2, 3]]), from_rows([[1], [2], [3]])) == [[14]]
    with pytest.raises(ValueError, match="cannot multiply 2x2 by 1x3"):
        multiply(a, from_rows([[1, 2, 3]]))


def test_power():
    fib = from_rows([[1, 1], [1, 0]])
    assert power(fib, 0) == identity(2)
    assert power(fib, 1) == fib
    assert power(fib, 2) == [[2, 1], [1, 1]]
    assert power(fib, 10) == [[89, 55], [55, 34]]
    with pytest.raises(ValueError):
        power(fib, -1)


def test_determinant():
    assert determinant(from_rows([[7]])) == 7
    assert determinant(from_rows([[1, 2], [3, 4]])) == -2
    assert determinant(from_rows([[0, 1], [1, 0]])) == -1
    assert determinant(from_rows([[2, 0, 1], [1, 3, 2], [1, 1, 2]])) == 6
    assert determinant(from_rows([[0, 2, 1], [0, 3, 2], [1, 1, 1]])) == 1
    assert determinant(from_rows([[1, 2], [2, 4]])) == 0
    assert determinant(from_rows([[F(1, 2), 0], [0, F(2, 3)]])) == F(1, 3)
    with pytest.raises(ValueError):
        determinant(from_rows([[1, 2, 3], [4, 5, 6]]))


def test_rank():
    assert rank(from_rows([[1, 2], [2, 4]])) == 1
    assert rank(from_rows([[1, 2, 3], [4, 5, 6], [7, 8, 9]])) == 2
    assert rank(from_rows([[0, 0], [0, 0]])) == 0
    assert rank(from_rows([[0, 1, 2], [1, 2, 3]])) == 2
    assert rank(from_rows([[1, 2, 3]])) == 1
    assert rank(from_rows([[1], [2], [3]])) == 1
    assert rank(identity(4)) == 4


def test_inverse():
    m = from_rows([[4, 7], [2, 6]])
    assert inverse(m) == [[F(3, 5), F(-7, 10)], [F(-1, 5), F(2, 5)]]
    assert multiply(m, inverse(m)) == identity(2)
    p = from_rows([[0, 1, 0], [0, 0, 1], [1, 0, 0]])
    assert inverse(p) == transpose(p)


def test_inverse_errors():
    with pytest.raises(ValueError, match="singular"):
        inverse(from_rows([[1, 2], [2, 4]]))
    with pytest.raises(ValueError, match="non-square"):
        inverse(from_rows([[1, 2]]))


def test_solve():
    a = from_rows([[2, 1, -1], [-3, -1, 2], [-2, 1, 2]])
    assert solve(a, [F(8), F(-11), F(-3)]) == [2, 3, -1]
    assert solve(from_rows([[0, 2], [3, 0]]), [F(1), F(1)]) == [F(1, 3), F(1, 2)]
    with pytest.raises(ValueError):
        solve(a, [F(1), F(2)])


def test_solve_singular_system():
    with pytest.raises(ValueError, match="singular"):
        solve(from_rows([[1, 1], [2, 2]]), [F(1), F(2)])


def test_operations_do_not_modify_their_input():
    m = from_rows([[0, 1], [1, 1]])
    before = [row[:] for row in m]
    determinant(m)
    rank(m)
    inverse(m)
    power(m, 3)
    assert m == before


def test_determinant_of_product_is_product_of_determinants():
    a = from_rows([[1, 2, 0], [0, 1, 3], [4, 0, 1]])
    b = from_rows([[2, 0, 1], [1, 1, 0], [0, 3, 1]])
    assert determinant(multiply(a, b)) == determinant(a) * determinant(b) == 25 * 5
