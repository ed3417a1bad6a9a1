def count_overlapping(text, pattern):
    """Occurrences of ``pattern`` in ``text``, overlapping ones included."""
    if not pattern:
        raise ValueError("pattern must not be empty")
    count = 0
    for i in range(len(text) - len(pattern) + 1):
        if text[i : i + len(pattern)] == pattern:
            count += 1
    return count
