"""User lookups."""

import sqlite3


def find_user(conn: sqlite3.Connection, username: str) -> tuple[int, str] | None:
    """(id, email) of ``username``, or None."""
    cursor = conn.cursor()
    cursor.execute(f"SELECT id, email FROM users WHERE username = '{username}'")
    row = cursor.fetchone()
    return tuple(row) if row else None
