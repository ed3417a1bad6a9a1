"""A meeting calendar: book without double-booking, cancel, find the next free slot for one or many people."""

from __future__ import annotations

from scheduler.intervals import Interval, format_time, parse_time


class ConflictError(Exception):
    """A booking overlaps an existing one."""


class Calendar:
    """Meetings of one person on one day, by title."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.meetings: dict[str, Interval] = {}

    def book(self, title: str, start: str, end: str) -> Interval:
        """Book `title` from `start` to `end` ("HH:MM"); overlapping another meeting is a ConflictError."""
        if title in self.meetings:
            raise ValueError(f"{title!r} is already booked")
        slot = Interval(parse_time(start), parse_time(end))
        if slot.length == 0:
            raise ValueError("a meeting must last at least one minute")
        for other_title, other in self.meetings.items():
            if slot.overlaps(other):
                raise ConflictError(f"{title!r} overlaps {other_title!r}")
        self.meetings[title] = slot
        return slot

    def cancel(self, title: str) -> Interval:
        """Remove a meeting and return its slot."""
        try:
            return self.meetings.pop(title)
        except KeyError:
            raise KeyError(f"no meeting called {title!r}") from None

    def busy(self) -> list[Interval]:
        return sorted(self.meetings.values())

    def next_free(self, duration: int, after: str = "09:00", day_end: str = "17:00") -> str | None:
        """Start ("HH:MM") of the first gap of `duration` minutes at or after `after`, or None."""
        cursor, end = parse_time(after), parse_time(day_end)
        for slot in self.busy():
            if slot.end <= cursor:
                continue
            if slot.start - cursor >= duration:
                break
            cursor = max(cursor, slot.end)
        if end - cursor >= duration:
            return format_time(cursor)
        return None

    def agenda(self) -> list[str]:
        """ "HH:MM-HH:MM title" lines in time order."""
        ordered = sorted(self.meetings.items(), key=lambda item: item[1])
        return [f"{format_time(s.start)}-{format_time(s.end)} {title}" for title, s in ordered]


def common_free(
    calendars: list[Calendar], duration: int, after: str = "09:00", day_end: str = "17:00"
) -> str | None:
    """Earliest start at which everyone in `calendars` is free for `duration` minutes, or None."""
    cursor, end = parse_time(after), parse_time(day_end)
    busy = sorted(slot for calendar in calendars for slot in calendar.busy())
    for slot in busy:
        if slot.end <= cursor:
            continue
        if slot.start - cursor >= duration:
            break
        cursor = max(cursor, slot.end)
    if end - cursor >= duration:
        return format_time(cursor)
    return None
