from occupancy import daily_occupancy


def test_counts():
    assert daily_occupancy(5, [(0, 2), (1, 4), (3, 5)]) == [1, 2, 1, 2, 1]


def test_checkout_day_is_free_and_empty_stay():
    assert daily_occupancy(3, [(0, 1), (1, 1)]) == [1, 0, 0]


def test_no_bookings_and_no_days():
    assert daily_occupancy(2, []) == [0, 0]
    assert daily_occupancy(0, []) == []
