from index import word_positions


def test_positions():
    assert word_positions(["a", "b", "a", "c", "b", "a"]) == {"a": [0, 2, 5], "b": [1, 4], "c": [3]}
    assert list(word_positions(["z", "y", "z"])) == ["z", "y"]


def test_empty():
    assert word_positions([]) == {}
