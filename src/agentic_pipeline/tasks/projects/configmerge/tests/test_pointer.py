import pytest

from configmerge.pointer import PointerError, format_pointer, get, parse_pointer, remove, set_value


@pytest.fixture
def doc():
    return {"servers": [{"host": "a", "port": 80}, {"host": "b"}], "a/b": {"c~d": 1}, "": "empty", "zero": 0}


def test_parse_and_format_pointer():
    assert parse_pointer("") == []
    assert parse_pointer("/") == [""]
    assert parse_pointer("/a~1b/c~0d") == ["a/b", "c~d"]
    assert parse_pointer("/~01") == ["~1"]
    assert format_pointer(["a/b", "c~d"]) == "/a~1b/c~0d"
    assert format_pointer(["~1"]) == "/~01"
    assert format_pointer([]) == ""
    with pytest.raises(PointerError):
        parse_pointer("a/b")


def test_get(doc):
    assert get(doc, "/servers/1/host") == "b"
    assert get(doc, "/servers/0") == {"host": "a", "port": 80}
    assert get(doc, "/a~1b/c~0d") == 1
    assert get(doc, "/") == "empty"
    assert get(doc, "") is doc
    assert get(doc, "/zero") == 0


def test_get_missing(doc):
    for pointer in [
        "/nope",
        "/servers/2",
        "/servers/01",
        "/servers/-",
        "/servers/x",
        "/zero/a",
        "/servers/0/host/x",
    ]:
        with pytest.raises(PointerError):
            get(doc, pointer)
    assert get(doc, "/servers/5/host", default=None) is None
    assert get(doc, "/nope", "fallback") == "fallback"


def test_set_value_creates_dicts(doc):
    set_value(doc, "/db/primary/port", 5432)
    assert doc["db"] == {"primary": {"port": 5432}}
    set_value(doc, "/servers/1/port", 8080)
    assert doc["servers"][1] == {"host": "b", "port": 8080}


def test_set_value_in_lists(doc):
    set_value(doc, "/servers/0", "replaced")
    set_value(doc, "/servers/-", "appended")
    set_value(doc, "/servers/3", "end")
    assert doc["servers"] == ["replaced", {"host": "b"}, "appended", "end"]
    with pytest.raises(PointerError):
        set_value(doc, "/servers/9", "x")
    with pytest.raises(PointerError):
        set_value(doc, "", {})


def test_remove(doc):
    assert remove(doc, "/servers/0/port") == 80
    assert remove(doc, "/servers/0") == {"host": "a"}
    assert doc["servers"] == [{"host": "b"}]
    assert remove(doc, "/a~1b") == {"c~d": 1}
    assert "a/b" not in doc


def test_remove_missing(doc):
    for pointer in ["", "/nope", "/servers/2", "/zero/x", "/nope/x"]:
        with pytest.raises(PointerError):
            remove(doc, pointer)
