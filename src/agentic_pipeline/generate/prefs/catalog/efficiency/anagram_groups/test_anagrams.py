from anagrams import group_anagrams


def test_groups_in_order():
    words = ["listen", "google", "silent", "enlist", "gogole", "cat"]
    assert group_anagrams(words) == [["listen", "silent", "enlist"], ["google", "gogole"], ["cat"]]


def test_empty():
    assert group_anagrams([]) == []
