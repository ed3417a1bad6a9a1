from collections import Counter


def word_counts(words):
    """How often each word occurs, keys in order of first appearance."""
    return dict(Counter(words))
