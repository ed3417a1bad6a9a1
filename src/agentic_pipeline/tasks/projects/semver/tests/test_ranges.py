import pytest

from semver.ranges import (
    expand_caret,
    expand_term,
    expand_tilde,
    matches,
    max_satisfying,
    parse_partial,
    satisfies,
)
from semver.version import Version


def v(text):
    return Version.parse(text)


def test_parse_partial():
    assert parse_partial("1.2.3") == (1, 2, 3)
    assert parse_partial("1.2") == (1, 2, None)
    assert parse_partial("1.x") == (1, None, None)
    assert parse_partial("1.X.3") == (1, None, None)
    assert parse_partial("*") == (None, None, None)
    for bad in ["1.2.3.4", "a", "1.b", ""]:
        with pytest.raises(ValueError):
            parse_partial(bad)


def test_expand_caret():
    assert expand_caret("1.2.3") == [(">=", v("1.2.3")), ("<", v("2.0.0"))]
    assert expand_caret("0.2.3") == [(">=", v("0.2.3")), ("<", v("0.3.0"))]
    assert expand_caret("0.0.3") == [(">=", v("0.0.3")), ("<", v("0.0.4"))]
    assert expand_caret("0.0") == [(">=", v("0.0.0")), ("<", v("0.1.0"))]
    assert expand_caret("0.x") == [(">=", v("0.0.0")), ("<", v("1.0.0"))]
    assert expand_caret("*") == []


def test_expand_tilde():
    assert expand_tilde("1.2.3") == [(">=", v("1.2.3")), ("<", v("1.3.0"))]
    assert expand_tilde("1.2") == [(">=", v("1.2.0")), ("<", v("1.3.0"))]
    assert expand_tilde("1") == [(">=", v("1.0.0")), ("<", v("2.0.0"))]
    assert expand_tilde("0.0.1") == [(">=", v("0.0.1")), ("<", v("0.1.0"))]
    assert expand_tilde("x") == []


def test_expand_term():
    assert expand_term(">=1.0.0") == [(">=", v("1.0.0"))]
    assert expand_term("<2.0.0-0") == [("<", v("2.0.0-0"))]
    assert expand_term("=1.2.3") == [("=", v("1.2.3"))]
    assert expand_term("1.2.3") == [("=", v("1.2.3"))]
    assert expand_term("1.2.x") == [(">=", v("1.2.0")), ("<", v("1.3.0"))]
    assert expand_term("1.x") == [(">=", v("1.0.0")), ("<", v("2.0.0"))]
    assert expand_term("1") == [(">=", v("1.0.0")), ("<", v("2.0.0"))]
    assert expand_term("1.2") == [(">=", v("1.2.0")), ("<", v("1.3.0"))]
    assert expand_term("*") == []


def test_satisfies_prerelease_rule():
    comparators = [(">=", v("1.2.3-beta.2")), ("<", v("1.3.0"))]
    assert satisfies(v("1.2.3-beta.4"), comparators)
    assert not satisfies(v("1.2.3-beta.1"), comparators)
    assert not satisfies(v("1.2.4-beta.9"), comparators)
    assert satisfies(v("1.2.4"), comparators)
    assert satisfies(v("5.0.0"), [])
    assert not satisfies(v("5.0.0-rc.1"), [])


@pytest.mark.parametrize(
    ("version", "range_text", "expected"),
    [
        ("1.2.3", "^1.2.3", True),
        ("1.9.9", "^1.2.3", True),
        ("2.0.0", "^1.2.3", False),
        ("1.2.2", "^1.2.3", False),
        ("0.2.9", "^0.2.3", True),
        ("0.3.0", "^0.2.3", False),
        ("1.2.9", "~1.2.3", True),
        ("1.3.0", "~1.2.3", False),
        ("1.5.0", ">=1.0.0 <2.0.0", True),
        ("2.0.0", ">=1.0.0 <2.0.0", False),
        ("1.0.0", ">1.0.0", False),
        ("1.0.0", "<=1.0.0", True),
        ("3.1.0", "^1.0.0 || ^3.0.0", True),
        ("2.1.0", "^1.0.0 || ^3.0.0", False),
        ("7.7.7", "*", True),
        ("1.4.0", "1.x", True),
        ("1.2.3+build", "1.2.3", True),
        ("2.0.0-rc.1", "^1.0.0", False),
    ],
)
def test_matches(version, range_text, expected):
    assert matches(version, range_text) is expected


def test_max_satisfying():
    versions = ["1.2.3", "1.4.0", "1.10.0", "2.0.0", "2.1.0-rc.1"]
    assert max_satisfying(versions, "^1.0.0") == "1.10.0"
    assert max_satisfying(versions, "~1.2.0") == "1.2.3"
    assert max_satisfying(versions, ">=2.0.0") == "2.0.0"
    assert max_satisfying(versions, "^3.0.0") is None
