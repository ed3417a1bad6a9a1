from totals import running_totals


def test_totals():
    assert running_totals([3, 1, 4, 1, 5]) == [3, 4, 8, 9, 14]
    assert running_totals([]) == []
    assert running_totals([-2, 2]) == [-2, 0]
