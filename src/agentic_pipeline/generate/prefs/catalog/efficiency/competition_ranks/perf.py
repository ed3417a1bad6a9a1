import random


def make_args(n):
    rng = random.Random(n)
    return ([rng.randint(0, n) for _ in range(n)],)
