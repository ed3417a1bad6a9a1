from itertools import accumulate


def running_totals(amounts):
    """Prefix sums of ``amounts``."""
    return list(accumulate(amounts))
