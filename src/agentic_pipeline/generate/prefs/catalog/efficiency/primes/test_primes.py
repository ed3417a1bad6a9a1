from primes import primes_up_to


def test_small_limits():
    assert primes_up_to(1) == []
    assert primes_up_to(2) == [2]
    assert primes_up_to(30) == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]


def test_count_below_thousand():
    assert len(primes_up_to(1000)) == 168
