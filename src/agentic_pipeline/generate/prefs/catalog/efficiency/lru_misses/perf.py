import random


def make_args(n):
    rng = random.Random(n)
    return ([rng.randrange(n // 2) for _ in range(n)], n // 4)
