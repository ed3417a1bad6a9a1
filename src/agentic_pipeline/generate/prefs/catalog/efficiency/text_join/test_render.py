from render import render_lines


def test_lines():
    assert render_lines([("info", "started"), ("warn", "slow")]) == "[INFO] started\n[WARN] slow\n"


def test_empty():
    assert render_lines([]) == ""
