from histogram import bucket_counts


def test_counts_with_boundaries_inclusive_on_the_left():
    assert bucket_counts([0, 1, 5, 9, 10, 10, 3.5], [0, 5, 10, 20]) == [3, 2, 2]


def test_out_of_range_values_ignored():
    assert bucket_counts([-1, 20, 25, 2], [0, 10, 20]) == [1, 0]


def test_empty_values():
    assert bucket_counts([], [1, 2, 3]) == [0, 0]
