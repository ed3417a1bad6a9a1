"""User lookups."""

import sqlite3


def find_user(conn: sqlite3.Connection, username: str) -> tuple[int, str] | None:
    """(id, email) of ``username``, or None. The name is a bound parameter, never part of the SQL text."""
    row = conn.execute("SELECT id, email FROM users WHERE username = ?", (username,)).fetchone()
    return tuple(row) if row else None
