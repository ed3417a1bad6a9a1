import random


def make_args(n):
    rng = random.Random(n)
    edges = [i * 10 for i in range(n // 4 + 1)]
    return ([rng.uniform(0, edges[-1]) for _ in range(n)], edges)
