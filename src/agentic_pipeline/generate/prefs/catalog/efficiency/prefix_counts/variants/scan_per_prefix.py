def count_with_prefix(words, prefixes):
    """How many words start with each prefix."""
    counts = []
    for prefix in prefixes:
        count = 0
        for word in words:
            if word.startswith(prefix):
                count += 1
        counts.append(count)
    return counts
