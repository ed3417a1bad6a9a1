"""Account administration."""


def delete_account(actor: dict, accounts: dict, username: str) -> dict:
    # an explicit check: `assert` statements are stripped under `python -O`
    if not actor.get("is_admin"):
        raise PermissionError("only administrators may delete accounts")
    return accounts.pop(username)
