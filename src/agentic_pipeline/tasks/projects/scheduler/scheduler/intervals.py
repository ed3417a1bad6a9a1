"""Half-open intervals [start, end) of minutes since midnight, and set operations on lists of them."""

from __future__ import annotations

from dataclasses import dataclass

MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True, order=True)
class Interval:
    """A half-open span of minutes; `end` is not included."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"interval ends before it starts: {self.start} > {self.end}")

    @property
    def length(self) -> int:
        return self.end - self.start

    def overlaps(self, other: Interval) -> bool:
        """Whether the two intervals share at least one minute (touching ends do not overlap)."""
        return self.start < other.end and other.start < self.end


def parse_time(text: str) -> int:
    """ "09:30" -> 570. Accepts 00:00 to 24:00."""
    hours_text, sep, minutes_text = text.strip().partition(":")
    if not sep or not hours_text.isdigit() or len(minutes_text) != 2 or not minutes_text.isdigit():
        raise ValueError(f"expected HH:MM, got {text!r}")
    hours, minutes = int(hours_text), int(minutes_text)
    if minutes >= 60 or hours * 60 + minutes > MINUTES_PER_DAY:
        raise ValueError(f"time out of range: {text!r}")
    return hours * 60 + minutes


def format_time(minutes: int) -> str:
    """570 -> "09:30"."""
    if minutes < 0 or minutes > MINUTES_PER_DAY:
        raise ValueError(f"minutes out of range: {minutes}")
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def merge(intervals: list[Interval]) -> list[Interval]:
    """Sorted union: overlapping or touching intervals become one; empty intervals are dropped."""
    merged: list[Interval] = []
    for current in sorted(i for i in intervals if i.length > 0):
        if merged and current.start <= merged[-1].end:
            last = merged.pop()
            merged.append(Interval(last.start, max(last.end, current.end)))
        else:
            merged.append(current)
    return merged


def total_length(intervals: list[Interval]) -> int:
    """Minutes covered by at least one interval."""
    return sum(i.length for i in merge(intervals))


def intersect(first: list[Interval], second: list[Interval]) -> list[Interval]:
    """Minutes covered by both lists, as a sorted list of disjoint intervals."""
    a, b = merge(first), merge(second)
    result = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i].start, b[j].start)
        end = min(a[i].end, b[j].end)
        if start < end:
            result.append(Interval(start, end))
        if a[i].end < b[j].end:
            i += 1
        else:
            j += 1
    return result


def subtract(base: Interval, busy: list[Interval]) -> list[Interval]:
    """Parts of `base` not covered by `busy`, in order."""
    free = []
    cursor = base.start
    for block in merge(busy):
        if block.end <= cursor:
            continue
        if block.start >= base.end:
            break
        if block.start > cursor:
            free.append(Interval(cursor, block.start))
        cursor = max(cursor, block.end)
    if cursor < base.end:
        free.append(Interval(cursor, base.end))
    return free


def free_slots(busy: list[Interval], day_start: int, day_end: int, min_length: int = 30) -> list[Interval]:
    """Free gaps between `day_start` and `day_end` at least `min_length` minutes long."""
    gaps = subtract(Interval(day_start, day_end), busy)
    return [gap for gap in gaps if gap.length >= min_length]
