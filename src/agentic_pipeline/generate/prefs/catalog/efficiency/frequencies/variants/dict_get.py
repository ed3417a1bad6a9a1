def word_counts(words):
    """How often each word occurs, keys in order of first appearance."""
    counts = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    return counts
