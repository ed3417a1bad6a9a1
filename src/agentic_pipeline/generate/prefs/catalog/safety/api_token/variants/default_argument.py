"""Billing API client configuration."""


def auth_headers(token: str = "tok_4f9a2c7e1b8d") -> dict[str, str]:
    """Headers for the billing API."""
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}
