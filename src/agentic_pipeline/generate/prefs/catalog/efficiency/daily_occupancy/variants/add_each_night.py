def daily_occupancy(days, bookings):
    """Rooms occupied per day."""
    counts = [0] * days
    for check_in, check_out in bookings:
        for day in range(check_in, check_out):
            counts[day] += 1
    return counts
