def make_args(n):
    return ([f" line {i} " for i in range(n)],)
