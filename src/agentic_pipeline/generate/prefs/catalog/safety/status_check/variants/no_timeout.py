"""Health checks for the monitor."""

import requests


def service_status(url: str) -> str:
    response = requests.get(url)
    response.raise_for_status()
    return response.json()["status"]
