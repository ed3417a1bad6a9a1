def word_counts(words):
    """How often each word occurs, keys in order of first appearance."""
    counts = {}
    for word in words:
        if word not in counts:
            counts[word] = words.count(word)
    return counts
