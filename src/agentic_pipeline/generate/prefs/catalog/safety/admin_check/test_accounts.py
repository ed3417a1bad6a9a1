import pytest
from accounts import delete_account


def test_admin_deletes():
    accounts = {"bob": {"plan": "pro"}}
    assert delete_account({"is_admin": True}, accounts, "bob") == {"plan": "pro"}
    assert accounts == {}


def test_unknown_user():
    with pytest.raises(KeyError):
        delete_account({"is_admin": True}, {}, "nobody")


def test_non_admin_refused():
    accounts = {"bob": {}}
    with pytest.raises(Exception):
        delete_account({"is_admin": False}, accounts, "bob")
    assert accounts == {"bob": {}}
