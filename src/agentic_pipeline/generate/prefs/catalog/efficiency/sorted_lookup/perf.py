def make_args(n):
    values = list(range(0, 2 * n, 2))
    return (values, list(range(0, 2 * n, 3)))
