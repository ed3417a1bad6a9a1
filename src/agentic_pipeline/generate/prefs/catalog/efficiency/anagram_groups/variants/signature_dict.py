def group_anagrams(words):
    """Anagram groups, in order of each group's first word."""
    groups = {}
    for word in words:
        groups.setdefault("".join(sorted(word)), []).append(word)
    return list(groups.values())
