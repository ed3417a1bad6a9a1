from pins import new_pin


def test_shape():
    pin = new_pin()
    assert len(pin) == 6 and pin.isdigit()
    assert len(new_pin(8)) == 8


def test_varies():
    assert len({new_pin() for _ in range(50)}) > 40
