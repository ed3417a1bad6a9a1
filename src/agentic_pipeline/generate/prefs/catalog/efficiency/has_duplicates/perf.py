def make_args(n):
    return (list(range(n, 0, -1)),)
