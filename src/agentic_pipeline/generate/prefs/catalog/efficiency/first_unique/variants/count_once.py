from collections import Counter


def first_unique(text):
    """The first character occurring exactly once, or None."""
    counts = Counter(text)
    return next((ch for ch in text if counts[ch] == 1), None)
