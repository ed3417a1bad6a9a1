def fib(n):
    """The n-th Fibonacci number, computed bottom-up in O(n)."""
    if n < 0:
        raise ValueError("n must be non-negative")
    current, following = 0, 1
    for _ in range(n):
        current, following = following, current + following
    return current
