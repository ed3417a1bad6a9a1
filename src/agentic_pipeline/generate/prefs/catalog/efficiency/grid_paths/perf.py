def make_args(n):
    return (["." * n for _ in range(n)],)
