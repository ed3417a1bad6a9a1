from webhooks import sign, verify


def test_round_trip():
    signature = sign(b"shared", b'{"event": "paid"}')
    assert isinstance(signature, str)
    assert verify(b"shared", b'{"event": "paid"}', signature)


def test_forgeries_fail():
    signature = sign(b"shared", b"body")
    assert not verify(b"other", b"body", signature)
    assert not verify(b"shared", b"body!", signature)
