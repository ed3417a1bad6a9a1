def make_args(n):
    # a long cooling spell ending in one hot day: every day's answer is far ahead
    return ([20.0 - i / n for i in range(n - 1)] + [40.0],)
