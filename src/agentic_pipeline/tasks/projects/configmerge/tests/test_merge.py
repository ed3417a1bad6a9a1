import pytest

from configmerge.merge import coerce, deep_merge, diff, env_overrides, flatten, merge_layers


def test_deep_merge_recurses_and_overrides():
    base = {"db": {"host": "localhost", "port": 5432}, "debug": False}
    override = {"db": {"port": 6543}, "debug": True, "name": "app"}
    assert deep_merge(base, override) == {
        "db": {"host": "localhost", "port": 6543},
        "debug": True,
        "name": "app",
    }


def test_deep_merge_does_not_mutate_inputs():
    base = {"a": {"b": [1]}}
    override = {"a": {"c": [2]}}
    merged = deep_merge(base, override)
    merged["a"]["b"].append(9)
    merged["a"]["c"].append(9)
    assert base == {"a": {"b": [1]}}
    assert override == {"a": {"c": [2]}}


def test_deep_merge_none_deletes():
    assert deep_merge({"a": 1, "b": {"c": 2, "d": 3}}, {"a": None, "b": {"c": None}, "x": None}) == {
        "b": {"d": 3}
    }


def test_deep_merge_type_change_replaces():
    assert deep_merge({"a": {"b": 1}}, {"a": 5}) == {"a": 5}
    assert deep_merge({"a": 5}, {"a": {"b": 1}}) == {"a": {"b": 1}}
    assert deep_merge({"a": [1]}, {"a": {"b": 1}}, lists="append") == {"a": {"b": 1}}


@pytest.mark.parametrize(
    ("lists", "expected"),
    [("replace", [2, 3]), ("append", [1, 2, 2, 3]), ("unique", [1, 2, 3])],
)
def test_list_strategies(lists, expected):
    assert deep_merge({"x": {"l": [1, 2]}}, {"x": {"l": [2, 3]}}, lists) == {"x": {"l": expected}}


def test_unknown_list_strategy():
    with pytest.raises(ValueError):
        deep_merge({}, {}, "zip")


def test_merge_layers():
    layers = [{"a": 1, "tags": ["x"]}, {"a": 2, "tags": ["y"]}, {"b": 3, "tags": ["x"]}]
    assert merge_layers(layers) == {"a": 2, "b": 3, "tags": ["x"]}
    assert merge_layers(layers, "unique") == {"a": 2, "b": 3, "tags": ["x", "y"]}
    assert merge_layers([]) == {}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("true", True),
        (" Yes ", True),
        ("off", False),
        ("null", None),
        ("42", 42),
        ("-7", -7),
        ("2.5", 2.5),
        ("1e3", 1000.0),
        ("Hello", "Hello"),
        ("", ""),
    ],
)
def test_coerce(text, value):
    result = coerce(text)
    assert result == value
    assert type(result) is type(value)


def test_env_overrides():
    environ = {
        "APP__DB__PORT": "5432",
        "APP__DB__HOST": "db.local",
        "APP__DEBUG": "true",
        "APP__": "ignored",
        "APP__A____B": "ignored",
        "OTHER__X": "1",
        "APPX__Y": "2",
    }
    assert env_overrides(environ) == {"db": {"host": "db.local", "port": 5432}, "debug": True}


def test_env_overrides_custom_prefix_and_separator():
    assert env_overrides({"MY_LOG_LEVEL": "debug", "MY_X": "1"}, prefix="MY", separator="_") == {
        "log": {"level": "debug"},
        "x": 1,
    }


def test_flatten():
    assert flatten({"a": {"b": 1, "c": [1, 2]}, "d/e": {}, "f": None}) == {
        "/a/b": 1,
        "/a/c": [1, 2],
        "/d~1e": {},
        "/f": None,
    }
    assert flatten({}) == {}


def test_diff():
    old = {"db": {"host": "a", "port": 1}, "debug": False, "gone": 1}
    new = {"db": {"host": "b", "port": 1}, "debug": False, "added": [1]}
    assert diff(old, new) == ["+ /added: [1]", "~ /db/host: 'a' -> 'b'", "- /gone: 1"]
    assert diff(new, new) == []
