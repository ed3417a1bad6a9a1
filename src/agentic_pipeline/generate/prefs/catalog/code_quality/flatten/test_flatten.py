from flatten import flatten


def test_nested():
    assert flatten([1, [2, [3, [4]], 5], [], [[6]]]) == [1, 2, 3, 4, 5, 6]


def test_items_that_are_not_lists():
    assert flatten(["ab", (1, 2), [None]]) == ["ab", (1, 2), None]


def test_empty():
    assert flatten([]) == []
