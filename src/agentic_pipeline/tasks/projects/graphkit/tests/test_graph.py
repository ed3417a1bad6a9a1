import pytest

from graphkit.graph import Graph


def test_from_edges_with_and_without_weights():
    g = Graph.from_edges([("a", "b"), ("b", "c", 2.5)])
    assert g.nodes() == ["a", "b", "c"]
    assert g.weight("a", "b") == 1
    assert g.weight("b", "c") == 2.5
    assert g.directed


def test_from_edges_rejects_bad_tuple():
    with pytest.raises(ValueError):
        Graph.from_edges([("a",)])
    with pytest.raises(ValueError):
        Graph.from_edges([("a", "b", 1, 2)])


def test_directed_edges_go_one_way():
    g = Graph.from_edges([("a", "b", 3)])
    assert g.neighbors("a") == {"b": 3}
    assert g.neighbors("b") == {}


def test_undirected_edges_go_both_ways():
    g = Graph.from_edges([("a", "b", 3)], directed=False)
    assert g.neighbors("b") == {"a": 3}
    g.remove_edge("b", "a")
    assert g.neighbors("a") == {}
    assert g.neighbors("b") == {}


def test_add_edge_replaces_weight_and_rejects_negative():
    g = Graph()
    g.add_edge(1, 2, 5)
    g.add_edge(1, 2, 7)
    assert g.neighbors(1) == {2: 7}
    g.add_edge(1, 3, 0)
    assert g.weight(1, 3) == 0
    with pytest.raises(ValueError):
        g.add_edge(1, 2, -1)


def test_neighbors_is_a_copy_and_unknown_node_raises():
    g = Graph.from_edges([("a", "b")])
    g.neighbors("a")["z"] = 9
    assert g.neighbors("a") == {"b": 1}
    with pytest.raises(KeyError):
        g.neighbors("zz")


def test_remove_missing_edge():
    g = Graph.from_edges([("a", "b")])
    with pytest.raises(KeyError):
        g.remove_edge("b", "a")
    with pytest.raises(KeyError):
        g.remove_edge("x", "a")
    g.remove_edge("a", "b")
    assert g.edge_count() == 0


def test_add_node_keeps_existing_edges():
    g = Graph.from_edges([("a", "b")])
    g.add_node("a")
    g.add_node("c")
    assert g.neighbors("a") == {"b": 1}
    assert g.nodes() == ["a", "b", "c"]


def test_edge_count():
    assert Graph.from_edges([("a", "b"), ("b", "a"), ("a", "c")]).edge_count() == 3
    assert Graph.from_edges([("a", "b"), ("b", "c"), ("c", "a")], directed=False).edge_count() == 3
    assert Graph.from_edges([("a", "a"), ("a", "b")], directed=False).edge_count() == 2
    assert Graph.from_edges([("a", "a"), ("b", "b")], directed=False).edge_count() == 2
    assert Graph().edge_count() == 0


def test_in_degrees():
    g = Graph.from_edges([("a", "b"), ("c", "b"), ("b", "d")])
    assert g.in_degrees() == {"a": 0, "b": 2, "c": 0, "d": 1}
