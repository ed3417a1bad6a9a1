import random


def make_args(n):
    # mostly separate bookings in random order, every tenth one overlapping its neighbour
    rng = random.Random(n)
    ranges = [(10 * i, 10 * i + (12 if i % 10 == 0 else 5)) for i in range(n)]
    rng.shuffle(ranges)
    return (ranges,)
