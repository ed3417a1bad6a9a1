from decimal import Decimal

import pytest

from ledger.money import allocate, apply_rate, format_amount, parse_amount, quantize, split_evenly


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.50", Decimal("12.50")),
        ("$1,234.56", Decimal("1234.56")),
        ("  -3 ", Decimal("-3")),
        ("(12.00)", Decimal("-12.00")),
        ("( 7 )", Decimal("-7")),
        ("(5)", Decimal("-5")),
    ],
)
def test_parse_amount(text, expected):
    assert parse_amount(text) == expected


def test_parse_amount_rejects():
    for text in ["", "  ", "$", "abc", "1.2.3", "()", "(12", "NaN", "Infinity"]:
        with pytest.raises(ValueError):
            parse_amount(text)


def test_quantize_rounds_half_up():
    assert quantize(Decimal("2.675")) == Decimal("2.68")
    assert quantize(Decimal("2.674")) == Decimal("2.67")
    assert quantize(Decimal("-2.675")) == Decimal("-2.68")
    assert quantize(Decimal("2.5"), 0) == Decimal("3")
    assert quantize(Decimal("1.23456"), 4) == Decimal("1.2346")
    assert str(quantize(Decimal("3"))) == "3.00"


def test_quantize_rejects_negative_places():
    with pytest.raises(ValueError):
        quantize(Decimal("1"), -1)


def test_format_amount():
    assert format_amount(Decimal("1234.5")) == "$1,234.50"
    assert format_amount(Decimal("-1234.5")) == "-$1,234.50"
    assert format_amount(Decimal("0")) == "$0.00"
    assert format_amount(Decimal("-0.004")) == "$0.00"
    assert format_amount(Decimal("1000000"), "EUR ", 0) == "EUR 1,000,000"
    assert format_amount(Decimal("0.125"), places=2) == "$0.13"


def test_split_evenly_gives_leftover_to_first():
    assert split_evenly(Decimal("10"), 3) == [Decimal("3.34"), Decimal("3.33"), Decimal("3.33")]
    assert split_evenly(Decimal("0.05"), 2) == [Decimal("0.03"), Decimal("0.02")]
    assert split_evenly(Decimal("9"), 3) == [Decimal("3.00")] * 3
    assert split_evenly(Decimal("4.20"), 1) == [Decimal("4.20")]


def test_split_evenly_sums_to_total():
    shares = split_evenly(Decimal("100.01"), 7)
    assert sum(shares) == Decimal("100.01")
    assert max(shares) - min(shares) == Decimal("0.01")
    assert len(shares) == 7


@pytest.mark.parametrize("parts", [0, -2])
def test_split_evenly_rejects_bad_parts(parts):
    with pytest.raises(ValueError):
        split_evenly(Decimal("1"), parts)


def test_allocate_proportional():
    assert allocate(Decimal("10"), [1, 3]) == [Decimal("2.50"), Decimal("7.50")]
    assert allocate(Decimal("100"), [1, 1, 1]) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert allocate(Decimal("1.00"), [0, 1]) == [Decimal("0"), Decimal("1.00")]


def test_allocate_largest_remainder_and_ties():
    # 5 cents by 3:7 -> 1.5 and 3.5 cents: the tie for the last cent goes to the first weight
    assert allocate(Decimal("0.05"), [3, 7]) == [Decimal("0.02"), Decimal("0.03")]
    # 10 cents by 1:2:3 -> 1.67, 3.33, 5.0: the leftover cent goes to the largest remainder
    assert allocate(Decimal("0.10"), [1, 2, 3]) == [Decimal("0.02"), Decimal("0.03"), Decimal("0.05")]


@pytest.mark.parametrize("weights", [[], [0, 0], [2, -1]])
def test_allocate_rejects_bad_weights(weights):
    with pytest.raises(ValueError):
        allocate(Decimal("1"), weights)


def test_apply_rate():
    assert apply_rate(Decimal("19.99"), Decimal("8.25")) == Decimal("21.64")
    assert apply_rate(Decimal("100"), Decimal("0")) == Decimal("100.00")
    assert apply_rate(Decimal("80"), Decimal("-25")) == Decimal("60.00")
