def make_args(n):
    return ([f"w{i % (n // 4)}" for i in range(n)],)
