from ranking import competition_ranks


def test_ties_share_and_skip():
    assert competition_ranks([90, 70, 90, 80]) == [1, 4, 1, 3]


def test_all_equal_and_single():
    assert competition_ranks([5, 5, 5]) == [1, 1, 1]
    assert competition_ranks([7]) == [1]


def test_empty_and_negative():
    assert competition_ranks([]) == []
    assert competition_ranks([-1, -3, 0]) == [2, 3, 1]
