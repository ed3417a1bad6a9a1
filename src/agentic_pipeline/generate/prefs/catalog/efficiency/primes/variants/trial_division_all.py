def primes_up_to(limit):
    """Primes <= limit."""
    primes = []
    for n in range(2, limit + 1):
        is_prime = True
        for d in range(2, n):
            if n % d == 0:
                is_prime = False
        if is_prime:
            primes.append(n)
    return primes
