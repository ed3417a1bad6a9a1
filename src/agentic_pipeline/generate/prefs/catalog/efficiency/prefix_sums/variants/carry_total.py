def running_totals(amounts):
    """Prefix sums of ``amounts``, carrying the total forward."""
    totals, total = [], 0
    for amount in amounts:
        total += amount
        totals.append(total)
    return totals
