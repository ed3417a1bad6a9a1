from functools import lru_cache


@lru_cache(maxsize=None)
def _fib(n):
    return n if n < 2 else _fib(n - 1) + _fib(n - 2)


def fib(n):
    """The n-th Fibonacci number; each value is computed once and cached."""
    if n < 0:
        raise ValueError("n must be non-negative")
    return _fib(n)
