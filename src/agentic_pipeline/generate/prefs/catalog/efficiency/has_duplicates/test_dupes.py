from dupes import has_duplicates


def test_detects_repeat():
    assert has_duplicates([4, 1, 7, 1])


def test_unique_values():
    assert not has_duplicates([3, 2, 1])
    assert not has_duplicates([])
