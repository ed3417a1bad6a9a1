from history import newest_first


def test_order_and_strip():
    assert newest_first(["a ", "", " b", "c"]) == ["c", "b", "a"]


def test_blank_only():
    assert newest_first(["  ", ""]) == []
