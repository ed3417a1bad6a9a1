from session import dump_session, load_session


def test_round_trip():
    data = {"user": "ada", "cart": [1, 2], "prefs": {"dark": True}}
    blob = dump_session(data)
    assert isinstance(blob, bytes)
    assert load_session(blob) == data
