import string

from fingerprint import fingerprint


def test_same_content_same_fingerprint(tmp_path):
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    a.write_bytes(b"contract v1")
    b.write_bytes(b"contract v1")
    assert fingerprint(a) == fingerprint(str(b))


def test_changed_content_changes_fingerprint(tmp_path):
    a = tmp_path / "a.pdf"
    a.write_bytes(b"contract v1")
    before = fingerprint(a)
    a.write_bytes(b"contract v2")
    assert fingerprint(a) != before


def test_hex_digest_of_large_file(tmp_path):
    big = tmp_path / "big.bin"
    big.write_bytes(bytes(range(256)) * 20000)
    digest = fingerprint(big)
    assert len(digest) >= 32 and set(digest) <= set(string.hexdigits.lower())
