import random


def make_args(n):
    rng = random.Random(n)
    return ([rng.uniform(0, 100) for _ in range(n)],)
