import heapq


def running_medians(readings):
    """Median of every prefix: a max-heap of the lower half and a min-heap of the upper half."""
    lower, upper, medians = [], [], []  # lower holds negated values
    for value in readings:
        if lower and value > -lower[0]:
            heapq.heappush(upper, value)
        else:
            heapq.heappush(lower, -value)
        # rebalance so lower has as many values as upper, or one more
        if len(lower) > len(upper) + 1:
            heapq.heappush(upper, -heapq.heappop(lower))
        elif len(upper) > len(lower):
            heapq.heappush(lower, -heapq.heappop(upper))
        if len(lower) > len(upper):
            medians.append(-lower[0])
        else:
            medians.append((-lower[0] + upper[0]) / 2)
    return medians
