import random


def make_args(n):
    rng = random.Random(n)
    bookings = []
    for _ in range(n):
        check_in = rng.randrange(n)
        bookings.append((check_in, min(n, check_in + rng.randint(n // 4, n // 2))))
    return (n, bookings)
