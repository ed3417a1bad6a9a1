def count_overlapping(text, pattern):
    """Occurrences of ``pattern`` in ``text``, overlapping ones included."""
    if not pattern:
        raise ValueError("pattern must not be empty")
    count = 0
    at = text.find(pattern)
    while at != -1:
        count += 1
        at = text.find(pattern, at + 1)  # restart one past the match, so overlaps are found
    return count
