from weather import days_until_warmer


def test_example():
    assert days_until_warmer([73, 74, 75, 71, 69, 72, 76, 73]) == [1, 1, 4, 2, 1, 1, 0, 0]


def test_equal_is_not_warmer():
    assert days_until_warmer([30, 30, 31]) == [2, 1, 0]


def test_cooling_and_empty():
    assert days_until_warmer([5, 4, 3]) == [0, 0, 0]
    assert days_until_warmer([]) == []
