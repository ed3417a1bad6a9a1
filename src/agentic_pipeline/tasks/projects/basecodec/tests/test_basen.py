import pytest

from basecodec.basen import (
    BASE36,
    BASE58,
    BASE62,
    decode_bytes,
    decode_int,
    encode_bytes,
    encode_int,
    luhn_check_digit,
    luhn_valid,
)


def test_alphabets():
    assert len(BASE36) == 36
    assert len(BASE58) == 58
    assert len(BASE62) == 62
    assert not set("0OIl") & set(BASE58)


@pytest.mark.parametrize(
    ("number", "alphabet", "text"),
    [
        (0, BASE62, "0"),
        (61, BASE62, "z"),
        (62, BASE62, "10"),
        (3843, BASE62, "zz"),
        (35, BASE36, "z"),
        (46656, BASE36, "1000"),
        (5, "01", "101"),
        (57, BASE58, "z"),
        (58, BASE58, "21"),
    ],
)
def test_encode_and_decode_int(number, alphabet, text):
    assert encode_int(number, alphabet) == text
    assert decode_int(text, alphabet) == number


def test_int_defaults_to_base62():
    assert encode_int(10**12) == "HbXm5a4"
    assert decode_int("HbXm5a4") == 10**12


def test_int_errors():
    with pytest.raises(ValueError):
        encode_int(-1)
    with pytest.raises(ValueError):
        encode_int(5, "0")
    with pytest.raises(ValueError):
        encode_int(5, "00")
    with pytest.raises(ValueError):
        decode_int("")
    with pytest.raises(ValueError, match="invalid symbol '0' at position 2"):
        decode_int("110", BASE58)


def test_encode_bytes_base58():
    assert encode_bytes(b"hello world") == "StV1DL6CwTryKyV"
    assert encode_bytes(b"\x00\x00\x01") == "112"
    assert encode_bytes(b"\x00") == "1"
    assert encode_bytes(b"") == ""


def test_decode_bytes_base58():
    assert decode_bytes("StV1DL6CwTryKyV") == b"hello world"
    assert decode_bytes("112") == b"\x00\x00\x01"
    assert decode_bytes("11") == b"\x00\x00"
    assert decode_bytes("") == b""


def test_bytes_round_trip_other_alphabet():
    data = b"\x00\xff\x10\x00"
    text = encode_bytes(data, BASE36)
    assert text.startswith("0") and not text.startswith("00")
    assert decode_bytes(text, BASE36) == data


def test_luhn_check_digit():
    assert luhn_check_digit("7992739871") == 3
    assert luhn_check_digit("0") == 0
    assert luhn_check_digit("1") == 8
    assert luhn_check_digit("5") == 9
    with pytest.raises(ValueError):
        luhn_check_digit("12a")
    with pytest.raises(ValueError):
        luhn_check_digit("")


def test_luhn_valid():
    assert luhn_valid("79927398713")
    assert luhn_valid("4539 1488 0343 6467")
    assert not luhn_valid("79927398710")
    assert not luhn_valid("4539 1488 0343 6468")
    assert not luhn_valid("0")
    assert not luhn_valid("12-34")
    assert luhn_valid("00")
