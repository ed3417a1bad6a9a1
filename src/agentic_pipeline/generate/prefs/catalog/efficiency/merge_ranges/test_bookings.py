from bookings import merge_ranges


def test_overlapping_and_touching():
    assert merge_ranges([(8, 10), (1, 3), (2, 6), (6, 7), (15, 18)]) == [(1, 7), (8, 10), (15, 18)]


def test_one_range_covers_others():
    assert merge_ranges([(2, 3), (1, 10), (4, 5)]) == [(1, 10)]


def test_range_bridging_two_groups():
    assert merge_ranges([(1, 2), (5, 6), (2, 5)]) == [(1, 6)]


def test_points_and_empty():
    assert merge_ranges([(4, 4), (4, 4)]) == [(4, 4)]
    assert merge_ranges([]) == []
