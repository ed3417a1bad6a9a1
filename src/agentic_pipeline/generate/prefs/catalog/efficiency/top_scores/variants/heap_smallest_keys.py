import heapq


def top_scores(entries, k):
    """The k best (player, score) entries: highest score first, then by name."""
    return heapq.nsmallest(k, entries, key=lambda entry: (-entry[1], entry[0]))
