from spelling import edit_distance


def test_classic_examples():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("flaw", "lawn") == 2


def test_empty_sides():
    assert edit_distance("", "abc") == 3
    assert edit_distance("abc", "") == 3
    assert edit_distance("", "") == 0


def test_identical_and_symmetric():
    assert edit_distance("route", "route") == 0
    assert edit_distance("intention", "execution") == edit_distance("execution", "intention") == 5
