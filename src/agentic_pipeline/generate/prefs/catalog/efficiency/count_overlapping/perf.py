import random


def make_args(n):
    rng = random.Random(n)
    marker = "".join(rng.choice("ACGT") for _ in range(300))
    text = [rng.choice("ACGT") for _ in range(n)]
    for at in range(0, n - 300, n // 8):
        text[at : at + 300] = marker
    return ("".join(text), marker)
