from groups import count_groups


def test_groups():
    accounts = ["a", "b", "c", "d", "e"]
    assert count_groups(accounts, [("a", "b"), ("c", "d"), ("b", "a")]) == 3


def test_chain_joins_everything():
    assert count_groups([1, 2, 3, 4], [(1, 2), (3, 4), (2, 3)]) == 1


def test_self_link_and_no_links():
    assert count_groups(["x", "y"], [("x", "x")]) == 2
    assert count_groups([], []) == 0
