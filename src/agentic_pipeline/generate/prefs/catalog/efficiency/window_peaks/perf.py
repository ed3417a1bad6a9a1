import random


def make_args(n):
    rng = random.Random(n)
    return ([rng.randint(0, 10_000) for _ in range(n)], n // 4)
