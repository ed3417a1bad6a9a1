from signup import validate


def test_valid_form():
    assert validate({"username": "ada", "email": "ada@example.org", "password": "correct horse"}) == []


def test_everything_missing():
    assert validate({}) == ["username is required", "email is required", "password is required"]


def test_each_rule():
    form = {"username": "x" * 21, "email": "nope", "password": "short"}
    assert validate(form) == ["username is too long", "email is invalid", "password is too short"]


def test_blank_is_missing():
    assert validate({"username": "  ", "email": "a@b", "password": "12345678"}) == ["username is required"]
