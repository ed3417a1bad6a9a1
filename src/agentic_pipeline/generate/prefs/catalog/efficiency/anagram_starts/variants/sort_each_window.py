def anagram_starts(text, word):
    """Indices where an anagram of ``word`` starts."""
    if not word:
        raise ValueError("word must not be empty")
    target = sorted(word)
    return [i for i in range(len(text) - len(word) + 1) if sorted(text[i : i + len(word)]) == target]
