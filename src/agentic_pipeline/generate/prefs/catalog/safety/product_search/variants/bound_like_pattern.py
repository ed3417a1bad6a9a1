"""Shop search."""

import sqlite3


def search_products(conn: sqlite3.Connection, term: str) -> list[str]:
    """Names containing ``term``. The term is a bound parameter; its own % and _ are escaped so a
    visitor's text is matched literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = conn.execute(
        "SELECT name FROM products WHERE name LIKE ? ESCAPE '\\' ORDER BY name", (f"%{escaped}%",)
    )
    return [name for (name,) in rows]
