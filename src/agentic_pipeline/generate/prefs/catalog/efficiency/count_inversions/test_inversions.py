from inversions import count_inversions


def test_counts():
    assert count_inversions([1, 2, 3]) == 0
    assert count_inversions([3, 2, 1]) == 3
    assert count_inversions([2, 4, 1, 3, 5]) == 3


def test_ties_are_not_inversions():
    assert count_inversions([2, 2, 1]) == 2
    assert count_inversions([]) == 0
