from prefs import load_prefs, save_prefs


def test_round_trip(tmp_path):
    path = str(tmp_path / "prefs")
    prefs = {"theme": "dark", "font_size": 14, "beta": False, "recent": ["a.txt", "b.txt"]}
    save_prefs(path, prefs)
    assert load_prefs(path) == prefs


def test_overwrite(tmp_path):
    path = str(tmp_path / "prefs")
    save_prefs(path, {"theme": "dark"})
    save_prefs(path, {"theme": "light"})
    assert load_prefs(path) == {"theme": "light"}


def test_nothing_saved(tmp_path):
    assert load_prefs(str(tmp_path / "prefs")) == {}
