from unique import first_unique


def test_first_unique():
    assert first_unique("swiss") == "w"
    assert first_unique("aabbc") == "c"


def test_none():
    assert first_unique("aabb") is None
    assert first_unique("") is None
