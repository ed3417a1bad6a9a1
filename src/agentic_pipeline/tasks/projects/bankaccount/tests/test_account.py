import pytest

from bankaccount.account import Account, AccountError, State, Transaction, format_cents


@pytest.fixture
def acct():
    return Account("B-0001", "ann", overdraft_limit=500)


def test_format_cents():
    assert format_cents(1234) == "12.34"
    assert format_cents(5) == "0.05"
    assert format_cents(-5) == "-0.05"
    assert format_cents(-100) == "-1.00"
    assert format_cents(0) == "0.00"


def test_transaction_value_object():
    tx = Transaction("deposit", 100, 100, "pay")
    assert tx == Transaction("deposit", 100, 100, "pay")
    assert tx != Transaction("deposit", 100, 100)
    assert tx != ("deposit", 100)
    assert repr(tx) == "Transaction(kind='deposit', amount=100, balance_after=100, memo='pay')"


def test_new_account(acct):
    assert acct.balance == 0
    assert acct.state is State.OPEN
    assert acct.available() == 500
    with pytest.raises(ValueError):
        Account("x", "y", overdraft_limit=-1)


def test_deposit(acct):
    assert acct.deposit(1000, "salary") == 1000
    assert acct.deposit(1) == 1001
    assert acct.history == [Transaction("deposit", 1000, 1000, "salary"), Transaction("deposit", 1, 1001)]
    for bad in (0, -5):
        with pytest.raises(ValueError):
            acct.deposit(bad)


def test_withdraw_into_overdraft_up_to_the_limit(acct):
    acct.deposit(1000)
    assert acct.withdraw(1500) == -500
    assert acct.available() == 0
    with pytest.raises(AccountError, match="insufficient funds: 0.00 available"):
        acct.withdraw(1)
    assert acct.balance == -500
    assert len(acct.history) == 2


def test_withdraw_without_overdraft():
    plain = Account("B-2", "bob")
    plain.deposit(300)
    with pytest.raises(AccountError, match="3.00 available"):
        plain.withdraw(301)
    assert plain.withdraw(300) == 0
    with pytest.raises(ValueError):
        plain.withdraw(0)


def test_state_machine(acct):
    acct.freeze()
    assert acct.state is State.FROZEN
    with pytest.raises(AccountError, match="cannot go from frozen to frozen"):
        acct.freeze()
    acct.unfreeze()
    assert acct.state is State.OPEN
    with pytest.raises(AccountError, match="cannot go from open to open"):
        acct.unfreeze()
    acct.close()
    assert acct.state is State.CLOSED
    for action in (acct.freeze, acct.unfreeze, acct.close):
        with pytest.raises(AccountError):
            action()


def test_frozen_account_takes_deposits_but_no_withdrawals(acct):
    acct.deposit(100)
    acct.freeze()
    assert acct.deposit(50) == 150
    with pytest.raises(AccountError, match="account is frozen"):
        acct.withdraw(10)
    acct.unfreeze()
    assert acct.withdraw(150) == 0
    acct.freeze()
    acct.close()
    assert acct.state is State.CLOSED


def test_close_needs_zero_balance(acct):
    acct.deposit(100)
    with pytest.raises(AccountError, match="balance is 1.00, not zero"):
        acct.close()
    acct.withdraw(200)
    with pytest.raises(AccountError, match="balance is -1.00"):
        acct.close()
    acct.deposit(100)
    acct.close()
    with pytest.raises(AccountError, match="closed"):
        acct.deposit(1)


def test_apply_interest_compounds_monthly():
    acct = Account("B-3", "cy")
    acct.deposit(1_000_000)
    assert acct.apply_interest(12, months=2) == 20_100
    assert acct.balance == 1_020_100
    assert acct.history[-1] == Transaction("interest", 10_100, 1_020_100)
    assert acct.apply_interest(6) == 5_100  # 5100.5 cents: half to even


def test_apply_interest_edges(acct):
    assert acct.apply_interest(5, months=3) == 0
    acct.withdraw(100)
    assert acct.apply_interest(5) == 0
    assert acct.balance == -100
    acct.deposit(110)
    assert acct.apply_interest(12, months=12) == 0  # 1% of 10 cents rounds to nothing
    assert [tx.kind for tx in acct.history] == ["withdrawal", "deposit"]
    assert acct.apply_interest(12, months=0) == 0
    with pytest.raises(ValueError):
        acct.apply_interest(12, months=-1)


def test_statement(acct):
    acct.deposit(10_000, "salary")
    acct.withdraw(2_550, "rent")
    acct.withdraw(7_900)
    assert acct.statement() == [
        "deposit    +   100.00     100.00 salary",
        "withdrawal -    25.50      74.50 rent",
        "withdrawal -    79.00      -4.50",
    ]
    assert acct.statement(last=1) == ["withdrawal -    79.00      -4.50"]
    assert acct.statement(last=0) == []


def test_statement_default_shows_last_five(acct):
    for amount in range(1, 8):
        acct.deposit(amount)
    lines = acct.statement()
    assert len(lines) == 5
    assert lines[0].startswith("deposit    +     0.03")
