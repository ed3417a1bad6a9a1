"""Wallet bookings."""


def withdraw(balance: int, amount: int) -> int:
    """New balance after taking ``amount`` cents out. Explicit checks: an ``assert`` would vanish
    under ``python -O`` and let overdrafts and negative withdrawals through."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"amount must be an int number of cents, not {amount!r}")
    if amount <= 0:
        raise ValueError("amount must be positive")
    if amount > balance:
        raise ValueError("insufficient funds")
    return balance - amount
