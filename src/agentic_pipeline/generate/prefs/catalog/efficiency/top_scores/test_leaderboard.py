from leaderboard import top_scores


def test_best_first_ties_by_name():
    entries = [("cy", 5), ("al", 9), ("bo", 5), ("di", 7)]
    assert top_scores(entries, 3) == [("al", 9), ("di", 7), ("bo", 5)]


def test_fewer_entries_than_k():
    assert top_scores([("a", 1), ("b", 2)], 5) == [("b", 2), ("a", 1)]


def test_zero_and_input_untouched():
    entries = [("a", 1), ("b", 2)]
    assert top_scores(entries, 0) == []
    top_scores(entries, 1)
    assert entries == [("a", 1), ("b", 2)]
