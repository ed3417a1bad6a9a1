from bisect import insort


def running_medians(readings):
    """Median of every prefix, from one list kept sorted as readings arrive."""
    ordered, medians = [], []
    for value in readings:
        insort(ordered, value)
        middle = len(ordered) // 2
        if len(ordered) % 2:
            medians.append(ordered[middle])
        else:
            medians.append((ordered[middle - 1] + ordered[middle]) / 2)
    return medians
