def word_positions(words):
    """Positions of each word."""
    index = {}
    for word in words:
        if word not in index:
            index[word] = [i for i, other in enumerate(words) if other == word]
    return index
