import pytest

from semver.version import Version, compare_prerelease


def test_parse_full():
    v = Version.parse("v1.2.3-rc.1+build.5")
    assert (v.major, v.minor, v.patch) == (1, 2, 3)
    assert v.prerelease == ("rc", "1")
    assert v.build == "build.5"
    assert str(v) == "1.2.3-rc.1+build.5"
    assert repr(Version.parse("0.0.0")) == "Version('0.0.0')"


def test_parse_rejects():
    for text in [
        "1.2",
        "1.2.3.4",
        "a.b.c",
        "01.2.3",
        "1.02.3",
        "1.2.03",
        "1.2.3-",
        "1.2.3-a..b",
        "",
        "-1.2.3",
    ]:
        with pytest.raises(ValueError):
            Version.parse(text)


def test_zero_components_are_allowed_and_negatives_rejected():
    assert Version.parse("0.10.0") == Version(0, 10, 0)
    with pytest.raises(ValueError):
        Version(1, -1, 0)
    with pytest.raises(ValueError):
        Version(-1)


def test_compare_prerelease():
    assert compare_prerelease((), ()) == 0
    assert compare_prerelease((), ("alpha",)) == 1
    assert compare_prerelease(("alpha",), ()) == -1
    assert compare_prerelease(("alpha",), ("alpha", "1")) == -1
    assert compare_prerelease(("alpha", "1"), ("alpha",)) == 1
    assert compare_prerelease(("2",), ("10",)) == -1
    assert compare_prerelease(("10",), ("2",)) == 1
    assert compare_prerelease(("1",), ("alpha",)) == -1
    assert compare_prerelease(("alpha",), ("1",)) == 1
    assert compare_prerelease(("beta",), ("alpha",)) == 1
    assert compare_prerelease(("rc", "1"), ("rc", "1")) == 0


def test_precedence_chain_from_the_spec():
    chain = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.1.0",
        "2.0.0",
    ]
    versions = [Version.parse(v) for v in chain]
    assert sorted(reversed(versions)) == versions
    for low, high in zip(versions, versions[1:]):
        assert low < high
        assert high > low
        assert not high <= low


def test_equality_ignores_build():
    assert Version.parse("1.0.0+a") == Version.parse("1.0.0+b")
    assert hash(Version.parse("1.0.0+a")) == hash(Version.parse("1.0.0"))
    assert Version.parse("1.0.0-a") != Version.parse("1.0.0")
    assert Version(1, 2, 3) != Version(1, 2, 4)
    assert Version(1) != "1.0.0"
    assert len({Version(1, 0, 0), Version.parse("1.0.0+x"), Version(1, 0, 1)}) == 2


@pytest.mark.parametrize(
    ("start", "part", "expected"),
    [
        ("1.2.3", "major", "2.0.0"),
        ("1.2.3", "minor", "1.3.0"),
        ("1.2.3", "patch", "1.2.4"),
        ("2.0.0-rc.1", "major", "2.0.0"),
        ("2.1.0-rc.1", "major", "3.0.0"),
        ("2.1.0-rc.1", "minor", "2.1.0"),
        ("2.1.1-rc.1", "minor", "2.2.0"),
        ("2.1.1-rc.1", "patch", "2.1.1"),
        ("1.2.3+b7", "patch", "1.2.4"),
    ],
)
def test_bump(start, part, expected):
    assert str(Version.parse(start).bump(part)) == expected


def test_bump_unknown_part():
    with pytest.raises(ValueError):
        Version(1).bump("build")
