from invites import ALPHABET, new_invite_code


def test_alphabet_has_no_confusable_characters():
    assert not set("0O1I") & set(ALPHABET)
    assert set("ABZ29") <= set(ALPHABET)


def test_length_and_characters():
    code = new_invite_code()
    assert len(code) == 10 and set(code) <= set(ALPHABET)
    assert len(new_invite_code(16)) == 16


def test_codes_differ():
    assert len({new_invite_code() for _ in range(50)}) == 50
