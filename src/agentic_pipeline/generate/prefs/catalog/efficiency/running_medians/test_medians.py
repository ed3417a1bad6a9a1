from medians import running_medians


def test_medians():
    assert running_medians([5, 15, 1, 3]) == [5, 10.0, 5, 4.0]


def test_repeated_values():
    assert running_medians([2, 2, 2]) == [2, 2.0, 2]


def test_descending_and_empty():
    assert running_medians([9, 7, 5, 3, 1]) == [9, 8.0, 7, 6.0, 5]
    assert running_medians([]) == []
