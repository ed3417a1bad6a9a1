from dedupe import dedupe


def test_keeps_first_occurrence_order():
    assert dedupe([3, 1, 3, 2, 1]) == [3, 1, 2]


def test_empty_and_unique():
    assert dedupe([]) == []
    assert dedupe(["a", "b"]) == ["a", "b"]


def test_input_not_modified():
    data = [1, 1, 2]
    dedupe(data)
    assert data == [1, 1, 2]
