import pytest

from textkit.numbers import from_roman, human_size, parse_size, to_roman


@pytest.mark.parametrize(
    ("number", "numeral"),
    [
        (1, "I"),
        (4, "IV"),
        (9, "IX"),
        (14, "XIV"),
        (40, "XL"),
        (90, "XC"),
        (400, "CD"),
        (500, "D"),
        (1994, "MCMXCIV"),
        (3888, "MMMDCCCLXXXVIII"),
        (3999, "MMMCMXCIX"),
    ],
)
def test_roman_both_ways(number, numeral):
    assert to_roman(number) == numeral
    assert from_roman(numeral) == number


def test_to_roman_range():
    for bad in (0, -1, 4000):
        with pytest.raises(ValueError):
            to_roman(bad)


def test_from_roman_accepts_lower_case_and_spaces():
    assert from_roman(" mmxxiv ") == 2024


def test_from_roman_rejects():
    for text in ["", "ABC", "IIII", "IC", "VX", "MMMM", "XIIX", "IL"]:
        with pytest.raises(ValueError):
            from_roman(text)


def test_human_size():
    assert human_size(0) == "0 B"
    assert human_size(1023) == "1023 B"
    assert human_size(1024) == "1.0 KB"
    assert human_size(1536) == "1.5 KB"
    assert human_size(10 * 1024**2, decimals=0) == "10 MB"
    assert human_size(10**12, base=1000) == "1.0 TB"
    assert human_size(999, base=1000) == "999 B"
    assert human_size(5 * 1024**5) == "5120.0 TB"
    with pytest.raises(ValueError):
        human_size(-1)


def test_parse_size():
    assert parse_size("1.5 KB") == 1536
    assert parse_size("10MB") == 10 * 1024**2
    assert parse_size("512") == 512
    assert parse_size("512 b") == 512
    assert parse_size("1 TB") == 1024**4
    assert parse_size("2 gb", base=1000) == 2 * 10**9
    assert parse_size("0.5 B") == 0
    assert parse_size("0 KB") == 0
    assert parse_size("1.0001 KB") == 1024


def test_parse_size_rejects():
    for text in ["", "KB", "ten MB", "-1 KB", "1 PB"]:
        with pytest.raises(ValueError):
            parse_size(text)


def test_size_round_trip():
    for size in (1536, 3 * 1024**3):
        assert parse_size(human_size(size)) == size
