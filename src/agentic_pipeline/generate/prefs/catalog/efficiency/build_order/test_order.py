import pytest
from order import build_order


def test_prerequisites_first_smallest_ready_first():
    deps = {"app": ["lib", "cfg"], "lib": ["base"], "cfg": [], "tests": ["app"]}
    assert build_order(deps) == ["base", "cfg", "lib", "app", "tests"]


def test_targets_only_mentioned_as_prerequisites():
    assert build_order({"b": ["a"]}) == ["a", "b"]


def test_independent_targets_alphabetical():
    assert build_order({"z": [], "m": [], "a": []}) == ["a", "m", "z"]


def test_cycle():
    with pytest.raises(ValueError):
        build_order({"a": ["b"], "b": ["c"], "c": ["a"]})


def test_empty():
    assert build_order({}) == []
