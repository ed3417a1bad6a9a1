from fractions import Fraction as F

import pytest

from linalg.vectors import add, cross, dot, manhattan, norm_squared, project, scale, subtract


def test_add_and_subtract():
    assert add([F(1), F(2)], [F(3), F(-5)]) == [F(4), F(-3)]
    assert subtract([F(1), F(2)], [F(3), F(-5)]) == [F(-2), F(7)]
    assert subtract([F(1, 2)], [F(1, 3)]) == [F(1, 6)]


def test_length_mismatch():
    for function in (add, subtract, dot, manhattan):
        with pytest.raises(ValueError, match="2 != 3"):
            function([F(1), F(2)], [F(1), F(2), F(3)])


def test_scale():
    assert scale([F(2), F(-4)], F(1, 2)) == [F(1), F(-2)]
    assert scale([], F(3)) == []


def test_dot():
    assert dot([F(1), F(2), F(3)], [F(4), F(-5), F(6)]) == 12
    assert dot([], []) == 0
    assert isinstance(dot([], []), F)


def test_cross():
    assert cross([F(1), F(0), F(0)], [F(0), F(1), F(0)]) == [F(0), F(0), F(1)]
    assert cross([F(0), F(1), F(0)], [F(1), F(0), F(0)]) == [F(0), F(0), F(-1)]
    assert cross([F(2), F(3), F(4)], [F(5), F(6), F(7)]) == [F(-3), F(6), F(-3)]
    with pytest.raises(ValueError):
        cross([F(1), F(2)], [F(3), F(4)])
    with pytest.raises(ValueError):
        cross([F(1), F(2), F(3)], [F(1), F(2), F(3), F(4)])


def test_norm_squared_and_manhattan():
    assert norm_squared([F(3), F(-4)]) == 25
    assert manhattan([F(1), F(5)], [F(4), F(1)]) == 7
    assert manhattan([F(1, 2)], [F(1, 2)]) == 0


def test_project():
    assert project([F(3), F(4)], [F(1), F(0)]) == [F(3), F(0)]
    assert project([F(1), F(1)], [F(2), F(0)]) == [F(1), F(0)]
    assert project([F(2), F(1)], [F(1), F(1)]) == [F(3, 2), F(3, 2)]
    with pytest.raises(ValueError):
        project([F(1)], [F(0)])
