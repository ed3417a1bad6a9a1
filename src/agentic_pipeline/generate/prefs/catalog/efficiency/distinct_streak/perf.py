import random


def make_args(n):
    # ids drawn from a wide range: repeats are rare and streaks run to hundreds of events
    rng = random.Random(n)
    return ([rng.randrange(40 * n) for _ in range(n)],)
