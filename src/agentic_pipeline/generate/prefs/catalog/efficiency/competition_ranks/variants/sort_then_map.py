def competition_ranks(scores):
    """1 + the number of strictly higher scores, for each score."""
    rank_of = {}
    for position, score in enumerate(sorted(scores, reverse=True), start=1):
        rank_of.setdefault(score, position)  # the first position of a score is its shared rank
    return [rank_of[score] for score in scores]
