from collections import deque


def window_peaks(values, window):
    """Maximum of every ``window`` consecutive values."""
    if window < 1:
        raise ValueError("window must be at least 1")
    peaks = []
    candidates = deque()  # indices whose values decrease: the front is the current maximum
    for i, value in enumerate(values):
        while candidates and values[candidates[-1]] <= value:
            candidates.pop()
        candidates.append(i)
        if candidates[0] <= i - window:
            candidates.popleft()
        if i >= window - 1:
            peaks.append(values[candidates[0]])
    return peaks
