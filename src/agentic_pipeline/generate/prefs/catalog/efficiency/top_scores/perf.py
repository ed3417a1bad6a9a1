import random


def make_args(n):
    rng = random.Random(n)
    return ([(f"player{i:06d}", rng.randint(0, 1000)) for i in range(n)], n // 10)
