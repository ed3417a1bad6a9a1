from itertools import accumulate


def daily_occupancy(days, bookings):
    """Rooms occupied per day: +1 at check-in, -1 at check-out, then a running total."""
    changes = [0] * (days + 1)
    for check_in, check_out in bookings:
        changes[check_in] += 1
        changes[check_out] -= 1
    return list(accumulate(changes[:days]))
