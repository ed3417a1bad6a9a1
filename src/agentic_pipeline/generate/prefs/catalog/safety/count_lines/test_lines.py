import pytest
from lines import count_lines


def test_counts_lines(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("a\nb\nc\n")
    assert count_lines(str(target)) == 3


def test_name_with_space(tmp_path):
    target = tmp_path / "my notes.txt"
    target.write_text("x\n")
    assert count_lines(str(target)) == 1


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        count_lines(str(tmp_path / "absent.txt"))
