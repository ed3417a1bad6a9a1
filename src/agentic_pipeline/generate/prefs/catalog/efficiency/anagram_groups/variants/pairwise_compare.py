def group_anagrams(words):
    """Anagram groups, in order of each group's first word."""
    groups = []
    for word in words:
        for group in groups:
            if sorted(group[0]) == sorted(word):
                group.append(word)
                break
        else:
            groups.append([word])
    return groups
