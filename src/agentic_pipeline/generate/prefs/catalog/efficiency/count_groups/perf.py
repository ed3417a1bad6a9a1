import random


def make_args(n):
    # links merge accounts into ever larger groups, in random order
    rng = random.Random(n)
    accounts = list(range(n))
    links = [(rng.randrange(n), rng.randrange(n)) for _ in range(n)]
    return (accounts, links)
