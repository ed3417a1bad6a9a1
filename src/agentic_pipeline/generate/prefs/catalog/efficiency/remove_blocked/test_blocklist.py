from blocklist import without_blocked


def test_filters_all_occurrences():
    assert without_blocked([1, 2, 3, 2, 4], [2, 4]) == [1, 3]


def test_input_untouched():
    values = [1, 2]
    without_blocked(values, [1])
    assert values == [1, 2]
