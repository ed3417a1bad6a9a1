def window_peaks(values, window):
    """Maximum of every ``window`` consecutive values."""
    if window < 1:
        raise ValueError("window must be at least 1")
    return [max(values[i : i + window]) for i in range(len(values) - window + 1)]
