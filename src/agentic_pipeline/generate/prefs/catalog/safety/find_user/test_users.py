import sqlite3

import pytest
from users import find_user


@pytest.fixture
def conn():
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE users (id INTEGER, username TEXT, email TEXT)")
    db.executemany(
        "INSERT INTO users VALUES (?, ?, ?)", [(1, "ada", "ada@example.org"), (2, "bob", "bob@example.org")]
    )
    yield db
    db.close()


def test_found(conn):
    assert find_user(conn, "bob") == (2, "bob@example.org")


def test_missing(conn):
    assert find_user(conn, "eve") is None
