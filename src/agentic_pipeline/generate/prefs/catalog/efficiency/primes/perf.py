def make_args(n):
    return (n,)
