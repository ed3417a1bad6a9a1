import random


def make_args(n):
    rng = random.Random(n)
    return ([rng.randint(-100, 100) for _ in range(n)],)
