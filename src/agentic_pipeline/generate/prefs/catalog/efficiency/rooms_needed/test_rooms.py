from rooms import rooms_needed


def test_overlaps():
    assert rooms_needed([(0, 30), (5, 10), (15, 20)]) == 2


def test_back_to_back_share_a_room():
    assert rooms_needed([(10, 20), (0, 10), (20, 30)]) == 1


def test_all_at_once_and_none():
    assert rooms_needed([(1, 5), (2, 6), (3, 7), (4, 8)]) == 4
    assert rooms_needed([]) == 0
