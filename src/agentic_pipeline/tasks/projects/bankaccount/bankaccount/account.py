"""One account: a balance in integer cents, a state machine, a transaction history."""

from __future__ import annotations

from enum import Enum


class State(Enum):
    OPEN = "open"
    FROZEN = "frozen"
    CLOSED = "closed"


# Allowed state changes; anything else is an AccountError.
TRANSITIONS = {
    State.OPEN: {State.FROZEN, State.CLOSED},
    State.FROZEN: {State.OPEN, State.CLOSED},
    State.CLOSED: set(),
}


class AccountError(Exception):
    """An operation the account's state, balance or limits forbid."""


class Transaction:
    def __init__(self, kind: str, amount: int, balance_after: int, memo: str = "") -> None:
        self.kind = kind
        self.amount = amount
        self.balance_after = balance_after
        self.memo = memo

    def __repr__(self) -> str:
        return (
            f"Transaction(kind={self.kind!r}, amount={self.amount!r}, "
            f"balance_after={self.balance_after!r}, memo={self.memo!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Transaction):
            return NotImplemented
        return (self.kind, self.amount, self.balance_after, self.memo) == (
            other.kind,
            other.amount,
            other.balance_after,
            other.memo,
        )


def format_cents(cents: int) -> str:
    """1234 -> "12.34", -5 -> "-0.05"."""
    sign = "-" if cents < 0 else ""
    whole, fraction = divmod(abs(cents), 100)
    return f"{sign}{whole}.{fraction:02d}"


class Account:
    def __init__(self, number: str, owner: str, overdraft_limit: int = 0) -> None:
        if overdraft_limit < 0:
            raise ValueError("overdraft limit must not be negative")
        self.number = number
        self.owner = owner
        self.overdraft_limit = overdraft_limit
        self.balance = 0
        self.state = State.OPEN
        self.history: list[Transaction] = []

    def _move_to(self, target: State) -> None:
        if target not in TRANSITIONS[self.state]:
            raise AccountError(f"cannot go from {self.state.value} to {target.value}")
        self.state = target

    def freeze(self) -> None:
        self._move_to(State.FROZEN)

    def unfreeze(self) -> None:
        self._move_to(State.OPEN)

    def close(self) -> None:
        """Close the account; only a zero balance can be closed."""
        if self.balance != 0:
            raise AccountError(f"balance is {format_cents(self.balance)}, not zero")
        self._move_to(State.CLOSED)

    def deposit(self, amount: int, memo: str = "") -> int:
        """Add `amount` cents; allowed while open or frozen (money may come in). Returns the balance."""
        if amount <= 0:
            raise ValueError("amount must be positive")
        if self.state is State.CLOSED:
            raise AccountError("account is closed")
        self.balance += amount
        self.history.append(Transaction("deposit", amount, self.balance, memo))
        return self.balance

    def withdraw(self, amount: int, memo: str = "") -> int:
        """Take `amount` cents out, down to minus the overdraft limit; only while open."""
        if amount <= 0:
            raise ValueError("amount must be positive")
        if self.state is not State.OPEN:
            raise AccountError(f"account is {self.state.value}")
        if self.balance - amount < -self.overdraft_limit:
            raise AccountError(f"insufficient funds: {format_cents(self.available())} available")
        self.balance -= amount
        self.history.append(Transaction("withdrawal", amount, self.balance, memo))
        return self.balance

    def available(self) -> int:
        """Cents that can still be withdrawn."""
        return self.balance + self.overdraft_limit

    def apply_interest(self, annual_rate_percent: float, months: int = 1) -> int:
        """Credit monthly interest on a positive balance, compounded, rounded half to even each month.

        Returns the total interest credited.
        """
        if months < 0:
            raise ValueError("months must not be negative")
        total = 0
        for _ in range(months):
            if self.balance <= 0:
                break
            interest = round(self.balance * annual_rate_percent / 100 / 12)
            if interest == 0:
                break
            self.balance += interest
            total += interest
            self.history.append(Transaction("interest", interest, self.balance))
        return total

    def statement(self, last: int = 5) -> list[str]:
        """The last `last` transactions, oldest first, as "kind amount balance memo" lines."""
        lines = []
        for tx in self.history[-last:] if last > 0 else []:
            sign = "-" if tx.kind == "withdrawal" else "+"
            line = f"{tx.kind:<10} {sign}{format_cents(tx.amount):>9} {format_cents(tx.balance_after):>10}"
            lines.append(f"{line} {tx.memo}".rstrip())
        return lines
