from itertools import accumulate


def moving_average(values, window):
    """Average of every ``window`` consecutive values, from differences of prefix sums."""
    if window <= 0:
        raise ValueError("window must be positive")
    prefix = [0, *accumulate(values)]
    return [(prefix[i + window] - prefix[i]) / window for i in range(len(values) - window + 1)]
