import sqlite3

import pytest
from search import search_products


@pytest.fixture
def conn():
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE products (id INTEGER, name TEXT, price REAL)")
    db.executemany(
        "INSERT INTO products VALUES (?, ?, ?)",
        [(1, "Blue Mug", 8.5), (2, "Red mug", 9.0), (3, "Teapot", 25.0), (4, "Mug rack", 14.0)],
    )
    yield db
    db.close()


def test_case_insensitive_substring(conn):
    assert search_products(conn, "mug") == ["Blue Mug", "Mug rack", "Red mug"]


def test_single_and_no_match(conn):
    assert search_products(conn, "pot") == ["Teapot"]
    assert search_products(conn, "kettle") == []
