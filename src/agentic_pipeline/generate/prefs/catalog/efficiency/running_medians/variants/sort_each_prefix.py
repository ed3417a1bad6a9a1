def running_medians(readings):
    """Median of every prefix."""
    medians = []
    for i in range(len(readings)):
        ordered = sorted(readings[: i + 1])
        middle = len(ordered) // 2
        if len(ordered) % 2:
            medians.append(ordered[middle])
        else:
            medians.append((ordered[middle - 1] + ordered[middle]) / 2)
    return medians
