"""Working days as the 条例 counts them: deadlines in 工作日 under the State Council's holiday
schedule, from the ``chinese-calendar`` package (public holidays and the 调休 weekends worked in
their place).

How a period is counted (docs/ledger.md): the day the period starts from — the day the
application, or its 补正, was received — is not counted; the first working day after it is day 1
(the 条例 does not say; this is the general rule for 期间 in Chinese law — 民法典 art. 201
"开始的当日不计入，自下一日开始计算", and the procedure laws' "期间开始的时和日，不计算在期间内").
The 20th counted working day is the last day on which a reply is on time.

A pause (third-party consultation, 条例 art. 32–33) is counted the same way: the working days
after its start, up to and including its end, are not counted.

A date in a year the calendar does not cover raises :class:`CalendarMissing` naming the year —
never a guess that a day is a working day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import chinese_calendar
from chinese_calendar import constants as _calendar_data

__all__ = [
    "CalendarMissing",
    "Pause",
    "add_workdays",
    "covered_years",
    "is_workday",
    "workdays_between",
]


class CalendarMissing(Exception):
    """No holiday schedule for ``year`` in the installed chinese-calendar."""

    def __init__(self, year: int) -> None:
        first, last = covered_years()
        super().__init__(f"chinese-calendar has no holiday schedule for {year} (it covers {first}–{last})")
        self.year = year
        self.first = first
        self.last = last


@cache
def covered_years() -> tuple[int, int]:
    """The first and last year the installed chinese-calendar knows the holidays of."""
    years = {d.year for d in _calendar_data.holidays}
    return min(years), max(years)


@cache
def is_workday(day: dt.date) -> bool:
    """Whether *day* is a working day (a weekday that is no holiday, or a 调休 weekend worked)."""
    first, last = covered_years()
    if not first <= day.year <= last:
        raise CalendarMissing(day.year)
    return bool(chinese_calendar.is_workday(day))


@dataclass(frozen=True, slots=True)
class Pause:
    """Time not counted: the working days after ``start`` up to and including ``end``."""

    start: dt.date
    end: dt.date

    def covers(self, day: dt.date) -> bool:
        return self.start < day <= self.end


def _counted(day: dt.date, pauses: Sequence[Pause]) -> bool:
    return is_workday(day) and not any(p.covers(day) for p in pauses)


def workdays_between(start: dt.date, end: dt.date, pauses: Iterable[Pause] = ()) -> int:
    """Counted working days after *start* up to and including *end* (0 when *end* ≤ *start*):
    how many days of a period starting on *start* have run by the end of *end*."""
    pauses = tuple(pauses)
    if end <= start:
        return 0
    n = 0  # the walk ends at the calendar's last year at the latest (CalendarMissing)
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if _counted(day, pauses):
            n += 1
    return n


def add_workdays(start: dt.date, count: int, pauses: Iterable[Pause] = ()) -> dt.date:
    """The *count*-th counted working day after *start*: the last day of a period of *count*
    working days that starts on *start* (*start* itself for 0)."""
    pauses = tuple(pauses)
    if count < 0:
        raise ValueError("count must be ≥ 0")
    day = start
    n = 0
    while n < count:
        day += dt.timedelta(days=1)
        if _counted(day, pauses):
            n += 1
    return day
