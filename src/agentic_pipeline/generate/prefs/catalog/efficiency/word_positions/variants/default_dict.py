from collections import defaultdict


def word_positions(words):
    """Positions of each word, in one pass over the text."""
    index = defaultdict(list)
    for position, word in enumerate(words):
        index[word].append(position)
    return dict(index)
