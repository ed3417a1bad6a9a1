import heapq


def window_peaks(values, window):
    """Maximum of every ``window`` consecutive values, from a max-heap pruned lazily."""
    if window < 1:
        raise ValueError("window must be at least 1")
    heap = []
    peaks = []
    for i, value in enumerate(values):
        heapq.heappush(heap, (-value, i))
        if i >= window - 1:
            # entries that slid out of the window are dropped only when they reach the top
            while heap[0][1] <= i - window:
                heapq.heappop(heap)
            peaks.append(-heap[0][0])
    return peaks
