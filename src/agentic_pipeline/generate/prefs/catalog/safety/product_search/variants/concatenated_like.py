"""Shop search."""

import sqlite3


def search_products(conn: sqlite3.Connection, term: str) -> list[str]:
    query = "SELECT name FROM products WHERE name LIKE '%" + term + "%' ORDER BY name"
    return [row[0] for row in conn.execute(query).fetchall()]
