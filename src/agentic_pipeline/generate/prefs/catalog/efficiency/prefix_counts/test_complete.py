from complete import count_with_prefix


def test_counts():
    words = ["car", "card", "care", "cat", "dog", "cart"]
    assert count_with_prefix(words, ["car", "ca", "d", "x", "card"]) == [4, 5, 1, 0, 1]


def test_empty_prefix_and_duplicates():
    assert count_with_prefix(["a", "a", "b"], ["", "a"]) == [3, 2]


def test_prefix_longer_than_words_and_no_words():
    assert count_with_prefix(["ab"], ["abc"]) == [0]
    assert count_with_prefix([], ["a"]) == [0]
