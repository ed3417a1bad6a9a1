def daily_occupancy(days, bookings):
    """Rooms occupied per day, sweeping the sorted check-ins and check-outs once."""
    check_ins = sorted(start for start, _ in bookings)
    check_outs = sorted(end for _, end in bookings)
    counts, arrived, left = [], 0, 0
    for day in range(days):
        while arrived < len(check_ins) and check_ins[arrived] <= day:
            arrived += 1
        while left < len(check_outs) and check_outs[left] <= day:
            left += 1
        counts.append(arrived - left)
    return counts
