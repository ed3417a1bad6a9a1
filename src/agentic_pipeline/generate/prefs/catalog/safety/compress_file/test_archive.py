import gzip

import pytest
from archive import compress


def test_compresses_and_keeps_original(tmp_path):
    source = tmp_path / "report 2024.txt"
    source.write_text("hello " * 100)
    out = compress(str(source))
    assert out == str(source) + ".gz"
    assert gzip.decompress(open(out, "rb").read()) == source.read_bytes()
    assert source.exists()


def test_missing_file(tmp_path):
    with pytest.raises(RuntimeError):
        compress(str(tmp_path / "absent.txt"))
