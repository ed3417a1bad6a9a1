def days_until_warmer(temperatures):
    """Days until a strictly warmer day, 0 when none comes."""
    waits = []
    for day, temperature in enumerate(temperatures):
        wait = 0
        for later in range(day + 1, len(temperatures)):
            if temperatures[later] > temperature:
                wait = later - day
                break
        waits.append(wait)
    return waits
