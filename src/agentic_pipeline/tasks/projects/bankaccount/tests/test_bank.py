import pytest

from bankaccount.account import AccountError, State
from bankaccount.bank import Bank


@pytest.fixture
def bank():
    b = Bank("ZB")
    b.open_account("ann", 10_000)
    b.open_account("bob", overdraft_limit=1_000)
    return b


def test_account_numbers_are_sequential(bank):
    assert list(bank.accounts) == ["ZB-0001", "ZB-0002"]
    third = bank.open_account("cy")
    assert third.number == "ZB-0003"
    assert third.owner == "cy"


def test_open_account_options():
    bank = Bank("X")
    account = bank.open_account("dee", 500, overdraft_limit=200, frozen=True, memo="welcome")
    assert account.balance == 500
    assert account.overdraft_limit == 200
    assert account.state is State.FROZEN
    assert account.history[0].memo == "welcome"
    eve = bank.open_account("eve")
    assert eve.history == []
    assert eve.overdraft_limit == 0
    assert eve.state is State.OPEN
    assert bank.open_account("gus", 1).balance == 1


def test_open_account_minimum_deposit():
    bank = Bank("X")
    with pytest.raises(AccountError, match="at least 100"):
        bank.open_account("fay", 99, minimum_deposit=100)
    assert bank.accounts == {}
    assert bank.open_account("fay", 100, minimum_deposit=100).number == "X-0001"


def test_get(bank):
    assert bank.get("ZB-0002").owner == "bob"
    with pytest.raises(KeyError):
        bank.get("ZB-0009")


def test_transfer(bank):
    bank.transfer("ZB-0001", "ZB-0002", 2_500)
    assert bank.get("ZB-0001").balance == 7_500
    assert bank.get("ZB-0002").balance == 2_500
    assert bank.get("ZB-0001").history[-1].memo == "to ZB-0002"
    assert bank.get("ZB-0002").history[-1].memo == "from ZB-0001"
    bank.transfer("ZB-0002", "ZB-0001", 3_000, memo="refund")
    assert bank.get("ZB-0002").balance == -500
    assert bank.get("ZB-0001").history[-1].memo == "refund"


def test_transfer_errors_leave_no_trace(bank):
    with pytest.raises(AccountError):
        bank.transfer("ZB-0002", "ZB-0001", 1_001)
    with pytest.raises(AccountError):
        bank.transfer("ZB-0001", "ZB-0001", 1)
    with pytest.raises(KeyError):
        bank.transfer("ZB-0001", "ZB-0404", 1)
    assert bank.get("ZB-0001").balance == 10_000
    assert len(bank.get("ZB-0001").history) == 1


def test_transfer_to_closed_account_is_rolled_back(bank):
    bank.get("ZB-0002").close()
    with pytest.raises(AccountError, match="closed"):
        bank.transfer("ZB-0001", "ZB-0002", 1_000)
    assert bank.get("ZB-0001").balance == 10_000
    assert len(bank.get("ZB-0001").history) == 1


def test_total_deposits_and_overdrawn(bank):
    cy = bank.open_account("cy", overdraft_limit=5_000)
    bank.transfer("ZB-0002", "ZB-0001", 1_000)
    cy.withdraw(300)
    dee = bank.open_account("dee", overdraft_limit=5_000)
    dee.withdraw(1_000)
    assert bank.overdrawn() == ["ZB-0002", "ZB-0004", "ZB-0003"]
    assert bank.total_deposits() == 11_000 - 1_000 - 300 - 1_000
    cy.deposit(300)
    cy.close()
    assert bank.total_deposits() == 8_700 + 300 - 0
    assert bank.overdrawn() == ["ZB-0002", "ZB-0004"]
