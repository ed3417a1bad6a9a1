from bisect import bisect_left


def count_with_prefix(words, prefixes):
    """How many words start with each prefix: two binary searches in the sorted words."""
    ordered = sorted(words)
    counts = []
    for prefix in prefixes:
        if not prefix:
            counts.append(len(ordered))
            continue
        # every word with the prefix sorts before the prefix with its last character bumped
        after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        counts.append(bisect_left(ordered, after) - bisect_left(ordered, prefix))
    return counts
