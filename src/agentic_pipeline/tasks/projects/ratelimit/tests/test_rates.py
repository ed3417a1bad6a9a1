import pytest

from ratelimit.rates import format_rate, parse_period, parse_rate


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("second", 1),
        ("minute", 60),
        (" Hour ", 3600),
        ("day", 86400),
        ("10s", 10),
        ("2h", 7200),
        ("1.5m", 90),
        ("15 minutes", 900),
        ("3 days", 259200),
    ],
)
def test_parse_period(text, seconds):
    assert parse_period(text) == seconds


def test_parse_period_rejects():
    for text in ["", "10", "fortnight", "10ms", "0s", "0.0 minutes", "ss"]:
        with pytest.raises(ValueError):
            parse_period(text)


def test_parse_rate():
    assert parse_rate("100/minute") == (100, 60)
    assert parse_rate(" 5 / 10s ") == (5, 10)
    assert parse_rate("1/day") == (1, 86400)


def test_parse_rate_rejects():
    for text in ["100", "0/minute", "-1/minute", "1.5/minute", "/minute", "ten/minute", "5/"]:
        with pytest.raises(ValueError):
            parse_rate(text)


@pytest.mark.parametrize(
    ("requests", "seconds", "text"),
    [
        (100, 60, "100/minute"),
        (1, 1, "1/second"),
        (3, 3600, "3/hour"),
        (7, 86400, "7/day"),
        (5, 10, "5/10s"),
        (100, 120, "100/2m"),
        (1, 7200, "1/2h"),
        (2, 172800, "2/2d"),
        (1, 0.5, "1/0.5s"),
        (4, 90, "4/90s"),
    ],
)
def test_format_rate(requests, seconds, text):
    assert format_rate(requests, seconds) == text
    assert parse_rate(text) == (requests, seconds)
