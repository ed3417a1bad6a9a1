import pytest
from duration import format_duration


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (59, "59s"), (60, "1m"), (3661, "1h 1m 1s"), (90061, "1d 1h 1m 1s"), (86400, "1d")],
)
def test_format(seconds, text):
    assert format_duration(seconds) == text


def test_negative():
    with pytest.raises(ValueError):
        format_duration(-5)
