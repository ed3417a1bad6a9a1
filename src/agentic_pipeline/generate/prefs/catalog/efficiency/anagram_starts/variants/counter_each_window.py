from collections import Counter


def anagram_starts(text, word):
    """Indices where an anagram of ``word`` starts."""
    if not word:
        raise ValueError("word must not be empty")
    wanted = Counter(word)
    starts = []
    for i in range(len(text) - len(word) + 1):
        if Counter(text[i : i + len(word)]) == wanted:
            starts.append(i)
    return starts
