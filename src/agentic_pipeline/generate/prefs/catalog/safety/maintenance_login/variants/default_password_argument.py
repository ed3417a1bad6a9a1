"""Access check for the maintenance page."""

import os


def check_maintenance_password(password: str, default_password: str = "letmein") -> bool:
    expected = os.environ.get("MAINTENANCE_PASSWORD") or default_password
    return password == expected
