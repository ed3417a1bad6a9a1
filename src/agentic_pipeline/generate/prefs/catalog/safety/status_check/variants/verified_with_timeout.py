"""Health checks for the monitor."""

import requests

TIMEOUT_S = (3.05, 10)  # connect, read: a hanging service fails this check instead of the monitor


def service_status(url: str) -> str:
    """The ``status`` field of the service's health JSON; certificates are verified (the default)."""
    response = requests.get(url, timeout=TIMEOUT_S)
    response.raise_for_status()
    return response.json()["status"]
