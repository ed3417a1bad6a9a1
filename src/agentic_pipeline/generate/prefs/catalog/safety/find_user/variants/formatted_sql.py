"""User lookups."""

import sqlite3


def find_user(conn: sqlite3.Connection, username: str) -> tuple[int, str] | None:
    """(id, email) of ``username``, or None."""
    query = "SELECT id, email FROM users WHERE username = '%s'" % username
    row = conn.execute(query).fetchone()
    return tuple(row) if row else None
