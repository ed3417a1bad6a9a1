"""Billing API client configuration."""

import os


def auth_headers() -> dict[str, str]:
    """Headers with the token from the environment, so no secret lives in the code or its history."""
    token = os.environ.get("BILLING_API_TOKEN")
    if not token:
        raise RuntimeError("set BILLING_API_TOKEN to the billing API token")
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}
