from collections import Counter


def count_with_prefix(words, prefixes):
    """How many words start with each prefix, from a count of every prefix of every word."""
    counts = Counter()
    for word in words:
        for end in range(len(word) + 1):
            counts[word[:end]] += 1
    return [counts[prefix] for prefix in prefixes]
