"""Access check for the maintenance page."""

import hmac
import os


def check_maintenance_password(password: str) -> bool:
    """Only the configured password opens the page; no configuration keeps it closed."""
    expected = os.environ.get("MAINTENANCE_PASSWORD", "")
    if not expected:
        return False
    # constant-time comparison: response times do not reveal how much of a guess was right
    return hmac.compare_digest(password.encode(), expected.encode())
