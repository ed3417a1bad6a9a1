from streaks import longest_distinct_streak


def test_examples():
    assert longest_distinct_streak(list("abcabcbb")) == 3
    assert longest_distinct_streak(list("pwwkew")) == 3


def test_repeat_far_back_does_not_cut_the_run():
    assert longest_distinct_streak([1, 2, 3, 1, 4, 5]) == 5


def test_all_same_all_distinct_empty():
    assert longest_distinct_streak([7, 7, 7]) == 1
    assert longest_distinct_streak([1, 2, 3, 4]) == 4
    assert longest_distinct_streak([]) == 0
