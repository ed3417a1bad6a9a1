import pytest

from scheduler.intervals import (
    Interval,
    format_time,
    free_slots,
    intersect,
    merge,
    parse_time,
    subtract,
    total_length,
)


def iv(pairs):
    return [Interval(a, b) for a, b in pairs]


def test_interval_basics():
    assert Interval(10, 25).length == 15
    assert Interval(5, 5).length == 0
    with pytest.raises(ValueError):
        Interval(6, 5)


def test_overlaps_is_half_open():
    assert Interval(0, 10).overlaps(Interval(5, 15))
    assert Interval(5, 15).overlaps(Interval(0, 10))
    assert Interval(0, 10).overlaps(Interval(2, 3))
    assert not Interval(0, 10).overlaps(Interval(10, 20))
    assert not Interval(10, 20).overlaps(Interval(0, 10))
    assert not Interval(0, 5).overlaps(Interval(7, 9))


@pytest.mark.parametrize(
    ("text", "minutes"), [("00:00", 0), ("09:30", 570), ("9:05", 545), ("23:59", 1439), ("24:00", 1440)]
)
def test_parse_time(text, minutes):
    assert parse_time(text) == minutes


def test_parse_time_rejects():
    for text in ["0930", "9:5", "ab:cd", "24:01", "12:60", "-1:00", ":30", "25:00"]:
        with pytest.raises(ValueError):
            parse_time(text)


def test_format_time():
    assert format_time(0) == "00:00"
    assert format_time(545) == "09:05"
    assert format_time(1440) == "24:00"
    with pytest.raises(ValueError):
        format_time(-1)
    with pytest.raises(ValueError):
        format_time(1441)


def test_merge():
    assert merge(iv([(30, 40), (0, 10), (5, 20)])) == iv([(0, 20), (30, 40)])
    assert merge(iv([(0, 10), (10, 20)])) == iv([(0, 20)])
    assert merge(iv([(0, 50), (10, 20)])) == iv([(0, 50)])
    assert merge(iv([(0, 10), (11, 20)])) == iv([(0, 10), (11, 20)])
    assert merge(iv([(5, 5), (7, 9)])) == iv([(7, 9)])
    assert merge([]) == []


def test_total_length_counts_overlap_once():
    assert total_length(iv([(0, 10), (5, 20), (30, 31)])) == 21
    assert total_length([]) == 0


def test_intersect():
    a = iv([(0, 10), (20, 30)])
    b = iv([(5, 25), (28, 40)])
    assert intersect(a, b) == iv([(5, 10), (20, 25), (28, 30)])
    assert intersect(b, a) == iv([(5, 10), (20, 25), (28, 30)])
    assert intersect(iv([(0, 10)]), iv([(10, 20)])) == []
    assert intersect(iv([(0, 100)]), iv([(10, 20), (30, 40)])) == iv([(10, 20), (30, 40)])
    assert intersect([], a) == []


def test_subtract():
    base = Interval(0, 100)
    assert subtract(base, []) == [base]
    assert subtract(base, iv([(20, 30), (50, 60)])) == iv([(0, 20), (30, 50), (60, 100)])
    assert subtract(base, iv([(0, 10), (90, 100)])) == iv([(10, 90)])
    assert subtract(base, iv([(0, 100)])) == []


def test_subtract_ignores_busy_outside_base():
    base = Interval(50, 100)
    assert subtract(base, iv([(0, 40), (60, 70), (120, 130)])) == iv([(50, 60), (70, 100)])
    assert subtract(base, iv([(40, 55), (95, 130)])) == iv([(55, 95)])


def test_free_slots_min_length():
    busy = iv([(540, 600), (620, 700), (730, 1000)])
    assert free_slots(busy, 540, 1020) == iv([(700, 730)])
    assert free_slots(busy, 540, 1020, 20) == iv([(600, 620), (700, 730), (1000, 1020)])
    assert free_slots(busy, 540, 1020, 21) == iv([(700, 730)])
    assert free_slots([], 540, 560) == []
