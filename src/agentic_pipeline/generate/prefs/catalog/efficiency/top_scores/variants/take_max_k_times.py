def top_scores(entries, k):
    """The k best (player, score) entries: highest score first, then by name."""
    remaining = list(entries)
    best = []
    while remaining and len(best) < k:
        top = min(remaining, key=lambda entry: (-entry[1], entry[0]))
        remaining.remove(top)
        best.append(top)
    return best
