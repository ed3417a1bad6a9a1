import pytest
from stretch import best_stretch


def test_mixed():
    assert best_stretch([-2, 1, -3, 4, -1, 2, 1, -5, 4]) == 6


def test_all_negative_takes_the_least_bad_day():
    assert best_stretch([-8, -3, -6]) == -3


def test_whole_list_and_single():
    assert best_stretch([2, 3, -1, 4]) == 8
    assert best_stretch([5]) == 5


def test_empty():
    with pytest.raises(ValueError):
        best_stretch([])
