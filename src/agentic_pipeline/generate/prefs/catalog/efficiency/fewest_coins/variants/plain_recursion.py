def fewest_coins(amount, coins):
    """Fewest coins adding up to ``amount`` (coins reusable), -1 when impossible."""
    if amount == 0:
        return 0
    best = -1
    for coin in coins:
        if coin <= amount:
            rest = fewest_coins(amount - coin, coins)
            if rest >= 0 and (best == -1 or rest + 1 < best):
                best = rest + 1
    return best
