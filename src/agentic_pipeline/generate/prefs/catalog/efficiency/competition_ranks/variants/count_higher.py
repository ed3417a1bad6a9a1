def competition_ranks(scores):
    """1 + the number of strictly higher scores, for each score."""
    return [1 + sum(1 for other in scores if other > score) for score in scores]
