from pairs import two_sum


def test_finds_pair():
    assert two_sum([2, 7, 11, 15], 9) == (0, 1)


def test_smallest_second_index_first():
    assert two_sum([1, 3, 2, 4], 5) == (1, 2)


def test_same_value_twice():
    assert two_sum([3, 3], 6) == (0, 1)


def test_no_pair():
    assert two_sum([1, 2, 3], 100) is None


def test_repeated_values():
    assert two_sum([2, 2, 2], 4) == (0, 1)
