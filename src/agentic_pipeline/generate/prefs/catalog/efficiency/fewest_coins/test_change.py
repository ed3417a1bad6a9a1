from change import fewest_coins


def test_greedy_is_not_enough():
    assert fewest_coins(6, [1, 3, 4]) == 2


def test_common_coins():
    assert fewest_coins(11, [1, 2, 5]) == 3


def test_impossible_and_zero():
    assert fewest_coins(3, [2]) == -1
    assert fewest_coins(0, [1, 2]) == 0


def test_single_exact_coin():
    assert fewest_coins(25, [10, 25]) == 1
