import random


def make_args(n):
    rng = random.Random(n)
    return ("".join(rng.choice("abcdefgh") for _ in range(n)), "".join(rng.choice("abcdefgh") for _ in range(200)))
