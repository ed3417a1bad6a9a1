from brackets import is_balanced


def test_balanced():
    assert is_balanced("f(a[1], {b: (2)})")
    assert is_balanced("")


def test_unbalanced():
    assert not is_balanced("(]")
    assert not is_balanced("((x)")
    assert not is_balanced("}{")
    assert not is_balanced("([)]")
