import pytest

from scheduler.calendar import Calendar, ConflictError, common_free
from scheduler.intervals import Interval


@pytest.fixture
def alice():
    cal = Calendar("alice")
    cal.book("standup", "09:00", "09:15")
    cal.book("review", "10:00", "11:00")
    return cal


def test_book_returns_slot(alice):
    assert alice.book("lunch", "12:00", "13:00") == Interval(720, 780)
    assert alice.meetings["standup"] == Interval(540, 555)
    assert alice.owner == "alice"


def test_book_conflicts(alice):
    with pytest.raises(ConflictError, match="'sync' overlaps 'review'"):
        alice.book("sync", "10:30", "11:30")
    with pytest.raises(ConflictError):
        alice.book("sync", "09:00", "09:01")
    assert "sync" not in alice.meetings


def test_book_back_to_back_is_fine(alice):
    alice.book("before", "09:45", "10:00")
    alice.book("after", "11:00", "11:30")
    assert len(alice.meetings) == 4


def test_book_rejects_duplicates_and_empty(alice):
    with pytest.raises(ValueError):
        alice.book("review", "15:00", "16:00")
    with pytest.raises(ValueError):
        alice.book("blink", "15:00", "15:00")


def test_cancel(alice):
    assert alice.cancel("review") == Interval(600, 660)
    assert alice.busy() == [Interval(540, 555)]
    with pytest.raises(KeyError):
        alice.cancel("review")


def test_next_free(alice):
    assert alice.next_free(30) == "09:15"
    assert alice.next_free(45) == "09:15"
    assert alice.next_free(46) == "11:00"
    assert alice.next_free(15, after="10:30") == "11:00"
    assert alice.next_free(10, after="08:00") == "08:00"
    assert alice.next_free(60, after="08:30") == "11:00"


def test_next_free_until_day_end(alice):
    assert alice.next_free(360) == "11:00"
    assert alice.next_free(361) is None
    assert alice.next_free(30, after="16:30") == "16:30"
    assert alice.next_free(30, after="16:31") is None
    assert alice.next_free(30, after="11:00", day_end="11:30") == "11:00"


def test_agenda_is_in_time_order(alice):
    alice.book("early", "08:00", "08:30")
    assert alice.agenda() == ["08:00-08:30 early", "09:00-09:15 standup", "10:00-11:00 review"]
    assert Calendar("nobody").agenda() == []


def test_common_free(alice):
    bob = Calendar("bob")
    bob.book("1:1", "09:15", "09:45")
    bob.book("deep work", "11:00", "12:30")
    assert common_free([alice, bob], 15) == "09:45"
    assert common_free([alice, bob], 16) == "12:30"
    assert common_free([alice, bob], 270) == "12:30"
    assert common_free([alice, bob], 271) is None
    assert common_free([alice, bob], 30, after="12:00", day_end="13:00") == "12:30"
    assert common_free([], 60) == "09:00"
