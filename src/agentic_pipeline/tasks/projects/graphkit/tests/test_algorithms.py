import pytest

from graphkit.algorithms import CycleError, bfs_order, connected_components, shortest_path, topological_sort
from graphkit.graph import Graph


@pytest.fixture
def roads():
    return Graph.from_edges(
        [("a", "b", 4), ("a", "c", 1), ("c", "b", 2), ("b", "d", 1), ("c", "d", 5), ("d", "e", 3)]
    )


def test_bfs_order(roads):
    assert bfs_order(roads, "a") == ["a", "b", "c", "d", "e"]
    assert bfs_order(roads, "d") == ["d", "e"]
    assert bfs_order(roads, "e") == ["e"]


def test_bfs_order_max_depth(roads):
    assert bfs_order(roads, "a", max_depth=0) == ["a"]
    assert bfs_order(roads, "a", max_depth=1) == ["a", "b", "c"]
    assert bfs_order(roads, "a", max_depth=2) == ["a", "b", "c", "d"]


def test_bfs_visits_each_node_once():
    g = Graph.from_edges([(1, 2), (1, 3), (2, 3), (3, 1)])
    assert bfs_order(g, 1) == [1, 2, 3]


def test_shortest_path(roads):
    assert shortest_path(roads, "a", "b") == (3, ["a", "c", "b"])
    assert shortest_path(roads, "a", "d") == (4, ["a", "c", "b", "d"])
    assert shortest_path(roads, "a", "e") == (7, ["a", "c", "b", "d", "e"])
    assert shortest_path(roads, "c", "e") == (6, ["c", "b", "d", "e"])


def test_shortest_path_trivial_and_unreachable(roads):
    assert shortest_path(roads, "a", "a") == (0, ["a"])
    assert shortest_path(roads, "e", "a") is None


def test_shortest_path_prefers_fewer_weight_not_fewer_hops():
    g = Graph.from_edges([("s", "t", 10), ("s", "x", 2), ("x", "y", 2), ("y", "t", 2)])
    assert shortest_path(g, "s", "t") == (6, ["s", "x", "y", "t"])
    g.add_edge("s", "t", 6)
    assert shortest_path(g, "s", "t") == (6, ["s", "t"])


def test_shortest_path_undirected_with_zero_weights():
    g = Graph.from_edges([(1, 2, 0), (2, 3, 0), (1, 3, 1)], directed=False)
    assert shortest_path(g, 3, 1) == (0, [3, 2, 1])


def test_topological_sort(roads):
    assert topological_sort(roads) == ["a", "c", "b", "d", "e"]


def test_topological_sort_prefers_insertion_order():
    g = Graph.from_edges([("shirt", "tie"), ("socks", "shoes"), ("pants", "shoes"), ("tie", "jacket")])
    assert topological_sort(g) == ["shirt", "tie", "socks", "pants", "shoes", "jacket"]
    g.add_node("watch")
    assert topological_sort(g)[-1] == "watch"


def test_topological_sort_cycle():
    g = Graph.from_edges([("x", "a"), ("a", "b"), ("b", "c"), ("c", "a")])
    with pytest.raises(CycleError, match=r"\['a', 'b', 'c'\]"):
        topological_sort(g)


def test_topological_sort_needs_directed():
    with pytest.raises(ValueError):
        topological_sort(Graph.from_edges([(1, 2)], directed=False))


def test_connected_components_ignore_direction():
    g = Graph.from_edges([(1, 2), (3, 2), (4, 5), (6, 6)])
    g.add_node(7)
    assert connected_components(g) == [[1, 2, 3], [4, 5], [6], [7]]
    assert connected_components(Graph()) == []
