from freq import word_counts


def test_counts():
    assert word_counts(["a", "b", "a", "c", "a"]) == {"a": 3, "b": 1, "c": 1}


def test_key_order_is_first_appearance():
    assert list(word_counts(["z", "y", "z"])) == ["z", "y"]


def test_empty():
    assert word_counts([]) == {}
