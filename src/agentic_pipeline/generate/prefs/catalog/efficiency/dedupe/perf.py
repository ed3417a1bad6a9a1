def make_args(n):
    return ([i % (n // 2) for i in range(n)],)
