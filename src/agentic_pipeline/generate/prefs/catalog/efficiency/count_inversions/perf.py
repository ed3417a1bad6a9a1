def make_args(n):
    return ([(i * 7919) % n for i in range(n)],)
