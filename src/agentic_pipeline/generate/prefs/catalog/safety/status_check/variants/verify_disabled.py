"""Health checks for the monitor."""

import requests


def service_status(url: str) -> str:
    response = requests.get(url, verify=False, timeout=10)
    response.raise_for_status()
    return response.json()["status"]
