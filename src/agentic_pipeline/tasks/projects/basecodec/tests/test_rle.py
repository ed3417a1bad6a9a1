import pytest

from basecodec.rle import compression_ratio, decode_bytes, decode_text, encode_bytes, encode_text


def test_encode_text():
    assert encode_text("aaabcc") == "3a1b2c"
    assert encode_text("abc") == "1a1b1c"
    assert encode_text("a" * 12) == "12a"
    assert encode_text("aabaa") == "2a1b2a"
    assert encode_text("") == ""
    assert encode_text("  x") == "2 1x"


def test_encode_text_rejects_digits():
    with pytest.raises(ValueError):
        encode_text("a1")


def test_decode_text():
    assert decode_text("3a1b2c") == "aaabcc"
    assert decode_text("12a") == "a" * 12
    assert decode_text("10x1y") == "x" * 10 + "y"
    assert decode_text("") == ""


def test_decode_text_errors():
    with pytest.raises(ValueError, match="missing count before 'a'"):
        decode_text("a")
    with pytest.raises(ValueError, match="missing count before 'b'"):
        decode_text("2ab")
    with pytest.raises(ValueError, match="zero count"):
        decode_text("0a")
    with pytest.raises(ValueError, match="ends with a count"):
        decode_text("2a3")


def test_text_round_trip():
    for text in ["", "x", "hello  world", "zzzzzzzzzzzzzzzzzzzzzzzz!", "ab" * 5]:
        assert decode_text(encode_text(text)) == text


def test_encode_bytes():
    assert encode_bytes(b"aaab") == bytes([3, 97, 1, 98])
    assert encode_bytes(b"") == b""
    assert encode_bytes(b"\x00" * 300) == bytes([255, 0, 45, 0])
    assert encode_bytes(b"xxxxx", max_run=2) == bytes([2, 120, 2, 120, 1, 120])
    assert encode_bytes(b"xy", max_run=1) == bytes([1, 120, 1, 121])


def test_encode_bytes_max_run_bounds():
    for bad in (0, 256):
        with pytest.raises(ValueError):
            encode_bytes(b"a", max_run=bad)
    assert encode_bytes(b"a" * 255) == bytes([255, 97])


def test_decode_bytes():
    assert decode_bytes(bytes([3, 97, 1, 98])) == b"aaab"
    assert decode_bytes(bytes([255, 0, 45, 0])) == b"\x00" * 300
    assert decode_bytes(b"") == b""
    with pytest.raises(ValueError, match="pairs"):
        decode_bytes(bytes([1]))
    with pytest.raises(ValueError, match="zero count at offset 2"):
        decode_bytes(bytes([1, 97, 0, 98]))


def test_bytes_round_trip():
    data = bytes([1, 1, 1, 2, 3, 3]) + b"\xff" * 600 + b"end"
    for max_run in (1, 7, 255):
        assert decode_bytes(encode_bytes(data, max_run)) == data


def test_compression_ratio():
    assert compression_ratio(b"", b"") == 1.0
    assert compression_ratio(b"aaaa", bytes([4, 97])) == 0.5
    assert compression_ratio(b"abc", encode_bytes(b"abc")) == 2.0
    assert compression_ratio(b"a" * 3, b"xy") == 0.667
