from common import common_items


def test_order_of_first_and_unique():
    assert common_items([5, 1, 5, 3, 9], [9, 5, 3, 3]) == [5, 3, 9]


def test_nothing_in_common():
    assert common_items([1, 2], [3]) == []
    assert common_items([], [1]) == []
