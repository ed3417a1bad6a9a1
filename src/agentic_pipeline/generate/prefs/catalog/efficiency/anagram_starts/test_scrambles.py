import pytest
from scrambles import anagram_starts


def test_starts():
    assert anagram_starts("cbaebabacd", "abc") == [0, 6]
    assert anagram_starts("abab", "ab") == [0, 1, 2]


def test_repeated_letters_must_match_counts():
    assert anagram_starts("aab", "abb") == []


def test_word_longer_than_text():
    assert anagram_starts("ab", "abc") == []


def test_empty_word():
    with pytest.raises(ValueError):
        anagram_starts("abc", "")
