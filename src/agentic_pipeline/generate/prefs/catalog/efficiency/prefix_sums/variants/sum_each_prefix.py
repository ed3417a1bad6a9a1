def running_totals(amounts):
    """Prefix sums of ``amounts``."""
    return [sum(amounts[: i + 1]) for i in range(len(amounts))]
