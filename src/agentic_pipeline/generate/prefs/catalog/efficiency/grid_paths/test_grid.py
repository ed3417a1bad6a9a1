from grid import count_paths


def test_open_grid():
    assert count_paths(["...", "...", "..."]) == 6


def test_walls():
    assert count_paths(["..", "#."]) == 1
    assert count_paths([".#", "#."]) == 0


def test_blocked_corner():
    assert count_paths(["#."]) == 0
