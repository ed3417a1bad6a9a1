def first_unique(text):
    """The first character occurring exactly once, or None."""
    for ch in text:
        if text.count(ch) == 1:
            return ch
    return None
