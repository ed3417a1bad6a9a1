from graph import hop_counts


def test_levels():
    graph = {"a": ["b", "c"], "b": ["d"], "c": ["d", "e"], "d": ["f"]}
    assert hop_counts(graph, "a") == {"a": 0, "b": 1, "c": 1, "d": 2, "e": 2, "f": 3}


def test_shortest_path_wins_over_first_seen_long_path():
    graph = {"s": ["x", "t"], "x": ["y"], "y": ["t"]}
    assert hop_counts(graph, "s")["t"] == 1


def test_cycles_and_unreachable():
    graph = {1: [2], 2: [1, 3], 3: [1], 9: [1]}
    assert hop_counts(graph, 1) == {1: 0, 2: 1, 3: 2}


def test_start_without_edges():
    assert hop_counts({}, "lonely") == {"lonely": 0}
