from collections import Counter


def anagram_starts(text, word):
    """Indices where an anagram of ``word`` starts: letter balances updated as the window slides."""
    if not word:
        raise ValueError("word must not be empty")
    size = len(word)
    balance = Counter(word)  # letters the window still lacks (> 0) or has too many of (< 0)
    for letter in text[:size]:
        balance[letter] -= 1
    off = sum(1 for count in balance.values() if count)  # letters whose balance is not zero
    starts = [0] if len(text) >= size and off == 0 else []
    for i in range(size, len(text)):
        for letter, change in ((text[i], -1), (text[i - size], 1)):
            before = balance[letter]
            balance[letter] = before + change
            off += (before == 0) - (before + change == 0)
        if off == 0:
            starts.append(i - size + 1)
    return starts
