"""Account administration."""


def delete_account(actor: dict, accounts: dict, username: str) -> dict:
    assert actor.get("is_admin"), "only administrators may delete accounts"
    return accounts.pop(username)
