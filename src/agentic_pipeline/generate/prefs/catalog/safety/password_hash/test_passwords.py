from passwords import check_password, hash_password


def test_round_trip():
    stored = hash_password("correct horse")
    assert isinstance(stored, str)
    assert check_password(stored, "correct horse")
    assert not check_password(stored, "wrong horse")


def test_not_plain_text():
    assert "correct horse" not in hash_password("correct horse")
