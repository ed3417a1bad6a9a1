from lookup import positions


def test_found_and_missing():
    assert positions([1, 3, 5, 7], [5, 2, 1, 8]) == [2, -1, 0, -1]


def test_first_of_repeats():
    assert positions([1, 2, 2, 2, 9], [2, 9]) == [1, 4]


def test_empty():
    assert positions([], [1]) == [-1]
