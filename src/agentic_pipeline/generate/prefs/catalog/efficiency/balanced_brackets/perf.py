def make_args(n):
    return ("(" * (n // 2) + ")" * (n // 2),)
