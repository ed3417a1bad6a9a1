def days_until_warmer(temperatures):
    """Days until a strictly warmer day, 0 when none comes."""
    waits = [0] * len(temperatures)
    pending = []  # days still waiting for a warmer one; their temperatures never increase
    for day, temperature in enumerate(temperatures):
        while pending and temperatures[pending[-1]] < temperature:
            earlier = pending.pop()
            waits[earlier] = day - earlier
        pending.append(day)
    return waits
