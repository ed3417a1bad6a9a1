from collections import Counter


def group_anagrams(words):
    """Anagram groups, in order of each group's first word, keyed by letter counts."""
    groups = {}
    for word in words:
        groups.setdefault(frozenset(Counter(word).items()), []).append(word)
    return list(groups.values())
