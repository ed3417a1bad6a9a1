"""Shop search."""

import sqlite3


def search_products(conn: sqlite3.Connection, term: str) -> list[str]:
    rows = conn.execute(f"SELECT name FROM products WHERE name LIKE '%{term}%' ORDER BY name")
    return [name for (name,) in rows]
