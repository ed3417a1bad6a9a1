import random


def make_args(n):
    rng = random.Random(n)
    words = ["".join(rng.choice("abcdefgh") for _ in range(rng.randint(3, 9))) for _ in range(n)]
    prefixes = ["".join(rng.choice("abcdefgh") for _ in range(rng.randint(1, 4))) for _ in range(n)]
    return (words, prefixes)
