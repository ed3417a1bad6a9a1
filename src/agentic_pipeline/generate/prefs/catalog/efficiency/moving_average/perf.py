def make_args(n):
    return (list(range(n)), n // 4)
