import pytest

from urlrouter.query import build_query, parse_query, percent_decode, percent_encode


def test_percent_encode():
    assert percent_encode("a b&c") == "a%20b%26c"
    assert percent_encode("safe-._~AZaz09") == "safe-._~AZaz09"
    assert percent_encode("é") == "%C3%A9"
    assert percent_encode("a/b", safe="/") == "a/b"
    assert percent_encode("a/b") == "a%2Fb"
    assert percent_encode("") == ""


def test_percent_decode():
    assert percent_decode("a%20b%2fc") == "a b/c"
    assert percent_decode("%C3%A9t%C3%A9") == "été"
    assert percent_decode("a+b") == "a+b"
    assert percent_decode("a+b", plus_is_space=True) == "a b"
    assert percent_decode("%2B", True) == "+"
    assert percent_decode("naïve") == "naïve"


def test_percent_decode_rejects_bad_escapes():
    for text in ["%", "%2", "abc%zz", "%g0"]:
        with pytest.raises(ValueError):
            percent_decode(text)
    with pytest.raises(ValueError, match="position 3"):
        percent_decode("abc%2")


def test_round_trip():
    text = "x = 1 & y/2 ü"
    assert percent_decode(percent_encode(text)) == text


def test_parse_query():
    assert parse_query("a=1&b=2&a=3") == {"a": ["1", "3"], "b": ["2"]}
    assert parse_query("?q=hello+world&empty=&flag") == {"q": ["hello world"], "empty": [""], "flag": [""]}
    assert parse_query("x=a%3Db&&y=%26") == {"x": ["a=b"], "y": ["&"]}
    assert parse_query("") == {}


def test_build_query():
    assert build_query({"b": 2, "a": "x y"}) == "a=x+y&b=2"
    assert build_query({"tag": ["a", "b&c"]}) == "tag=a&tag=b%26c"
    assert build_query({"a b": "+"}) == "a+b=%2B"
    assert build_query({}) == ""


def test_build_then_parse():
    params = {"name": "Zoë O'Neil", "n": ["1", "2"]}
    assert parse_query(build_query(params)) == {"n": ["1", "2"], "name": ["Zoë O'Neil"]}
