"""User preferences on disk."""

import dbm
import shelve


def save_prefs(path: str, prefs: dict) -> None:
    with shelve.open(path, flag="n") as db:
        db.update(prefs)


def load_prefs(path: str) -> dict:
    try:
        with shelve.open(path, flag="r") as db:
            return dict(db)
    except dbm.error:
        return {}
