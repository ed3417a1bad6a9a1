import string

from tokens import reset_token


def test_length_and_alphabet():
    token = reset_token()
    assert len(token) == 32
    assert set(token) <= set(string.ascii_letters + string.digits)
    assert len(reset_token(8)) == 8


def test_tokens_differ():
    assert len({reset_token() for _ in range(20)}) == 20
