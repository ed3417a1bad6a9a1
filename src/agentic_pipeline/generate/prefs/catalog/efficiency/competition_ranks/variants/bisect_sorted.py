from bisect import bisect_right


def competition_ranks(scores):
    """1 + the number of strictly higher scores, for each score, by binary search."""
    ordered = sorted(scores)
    return [len(ordered) - bisect_right(ordered, score) + 1 for score in scores]
