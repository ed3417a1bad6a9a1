def make_args(n):
    return (list(range(0, 2 * n, 2)), list(range(0, 3 * n, 3)))
