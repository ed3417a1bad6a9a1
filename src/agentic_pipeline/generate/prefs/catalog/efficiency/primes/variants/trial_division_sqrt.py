def primes_up_to(limit):
    """Primes <= limit."""
    primes = []
    for n in range(2, limit + 1):
        if all(n % d for d in range(2, int(n**0.5) + 1)):
            primes.append(n)
    return primes
