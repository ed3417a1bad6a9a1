def first_unique(text):
    """The first character occurring exactly once, or None."""
    counts = {}
    for ch in text:
        counts[ch] = counts.get(ch, 0) + 1
    for ch, count in counts.items():
        if count == 1:
            return ch
    return None
