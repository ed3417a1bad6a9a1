import pytest
from peaks import window_peaks


def test_peaks():
    assert window_peaks([1, 3, -1, -3, 5, 3, 6, 7], 3) == [3, 3, 5, 5, 6, 7]


def test_window_of_one_and_whole_list():
    assert window_peaks([4, 2, 9], 1) == [4, 2, 9]
    assert window_peaks([4, 2, 9], 3) == [9]


def test_repeated_maximum_leaving_the_window():
    assert window_peaks([5, 5, 1, 1, 1], 2) == [5, 5, 1, 1]


def test_short_input():
    assert window_peaks([1, 2], 3) == []


def test_bad_window():
    with pytest.raises(ValueError):
        window_peaks([1, 2, 3], 0)
