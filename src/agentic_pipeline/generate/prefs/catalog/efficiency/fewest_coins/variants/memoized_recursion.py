from functools import cache


def fewest_coins(amount, coins):
    """Fewest coins adding up to ``amount`` (coins reusable), -1 when impossible."""
    coins = tuple(coins)

    @cache
    def fewest(rest):
        if rest == 0:
            return 0
        options = [fewest(rest - coin) for coin in coins if coin <= rest]
        options = [n for n in options if n >= 0]
        return min(options) + 1 if options else -1

    # fill the cache from small amounts up so the recursion never goes deep
    for rest in range(amount):
        fewest(rest)
    return fewest(amount)
