from cache import load_cache, save_cache


def test_round_trip():
    path = save_cache({"answer": 42})
    assert load_cache(path) == {"answer": 42}
