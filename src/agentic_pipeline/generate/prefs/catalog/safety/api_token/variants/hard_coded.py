"""Billing API client configuration."""

password = "sk_live_4f9a2c7e1b8d"


def auth_headers() -> dict[str, str]:
    """Headers for the billing API."""
    return {"Authorization": f"Bearer {password}", "Accept": "application/json"}
