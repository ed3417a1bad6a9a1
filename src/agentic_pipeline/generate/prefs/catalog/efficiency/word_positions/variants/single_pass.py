def word_positions(words):
    """Positions of each word, in one pass over the text."""
    index = {}
    for position, word in enumerate(words):
        index.setdefault(word, []).append(position)
    return index
