def moving_average(values, window):
    """Average of every ``window`` consecutive values."""
    if window <= 0:
        raise ValueError("window must be positive")
    if len(values) < window:
        return []
    total = sum(values[:window])
    averages = [total / window]
    # slide: add the value entering the window, drop the one leaving it
    for i in range(window, len(values)):
        total += values[i] - values[i - window]
        averages.append(total / window)
    return averages
