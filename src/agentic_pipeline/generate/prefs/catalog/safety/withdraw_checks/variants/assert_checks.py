"""Wallet bookings."""


def withdraw(balance: int, amount: int) -> int:
    assert isinstance(amount, int), "amount must be an int"
    assert amount > 0, "amount must be positive"
    assert amount <= balance, "insufficient funds"
    return balance - amount
