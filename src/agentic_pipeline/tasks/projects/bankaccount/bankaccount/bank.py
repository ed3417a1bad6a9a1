"""A bank: numbered accounts and transfers that either fully happen or leave no trace."""

from __future__ import annotations

from bankaccount.account import Account, AccountError, State


class Bank:
    def __init__(self, code: str) -> None:
        self.code = code
        self.accounts: dict[str, Account] = {}
        self._next = 1

    def open_account(
        self,
        owner: str,
        initial_deposit: int = 0,
        overdraft_limit: int = 0,
        frozen: bool = False,
        memo: str = "opening deposit",
        minimum_deposit: int = 0,
    ) -> Account:
        """Open an account numbered "<code>-0001", "<code>-0002", ..."""
        if initial_deposit < minimum_deposit:
            raise AccountError(f"opening deposit must be at least {minimum_deposit}")
        account = Account(f"{self.code}-{self._next:04d}", owner, overdraft_limit)
        if initial_deposit > 0:
            account.deposit(initial_deposit, memo)
        if frozen:
            account.freeze()
        self.accounts[account.number] = account
        self._next += 1
        return account

    def get(self, number: str) -> Account:
        if number not in self.accounts:
            raise KeyError(f"no account {number}")
        return self.accounts[number]

    def transfer(self, source: str, target: str, amount: int, memo: str = "") -> None:
        """Move `amount` cents; if the deposit fails, the withdrawal is rolled back."""
        if source == target:
            raise AccountError("cannot transfer to the same account")
        from_account, to_account = self.get(source), self.get(target)
        from_account.withdraw(amount, memo or f"to {target}")
        try:
            to_account.deposit(amount, memo or f"from {source}")
        except AccountError:
            from_account.balance += amount
            from_account.history.pop()
            raise

    def total_deposits(self) -> int:
        """Sum of all balances of accounts that are not closed."""
        return sum(a.balance for a in self.accounts.values() if a.state is not State.CLOSED)

    def overdrawn(self) -> list[str]:
        """Numbers of accounts with a negative balance, most overdrawn first."""
        negative = [a for a in self.accounts.values() if a.balance < 0]
        return [a.number for a in sorted(negative, key=lambda a: (a.balance, a.number))]
