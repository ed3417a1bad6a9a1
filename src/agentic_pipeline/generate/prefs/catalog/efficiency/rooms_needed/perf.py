import random


def make_args(n):
    rng = random.Random(n)
    meetings = []
    for _ in range(n):
        start = rng.randrange(0, 50 * n)
        meetings.append((start, start + rng.randint(30, 240)))
    return (meetings,)
