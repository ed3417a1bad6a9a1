def make_args(n):
    return (list(range(n)), list(range(0, n, 2)))
