def make_args(n):
    return ([f"w{i % (n // 8)}" for i in range(n)],)
