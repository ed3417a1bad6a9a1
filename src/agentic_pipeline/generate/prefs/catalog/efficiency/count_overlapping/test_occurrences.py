import pytest
from occurrences import count_overlapping


def test_overlapping_matches():
    assert count_overlapping("aaaa", "aa") == 3
    assert count_overlapping("abababa", "aba") == 3


def test_no_match_and_longer_pattern():
    assert count_overlapping("abc", "d") == 0
    assert count_overlapping("ab", "abc") == 0


def test_match_at_both_ends():
    assert count_overlapping("xyzxy", "xy") == 2


def test_empty_pattern():
    with pytest.raises(ValueError):
        count_overlapping("abc", "")
