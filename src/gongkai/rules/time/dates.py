"""Dates the time rules share: the statutory deadline (条例 art. 49) and the statistics period."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from gongkai.document import Location
from gongkai.memo import remember
from gongkai.model import Report
from gongkai.normalize import fold
from gongkai.rules.base import locate

_DATE = r"(20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
_PERIOD_RE = re.compile(
    r"(?:统计期限|统计时限|统计期间|统计区间|统计时间|统计周期|统计范围|数据统计|统计期)[^。；;]{0,12}?"
    + _DATE
    + r"\s*(?:起)?\s*(?:至|到|—|-|－|~|～)\s*"
    + _DATE
)


_TITLE_YEAR_RE = re.compile(r"(20\d{2})\s*年")


def deadline(year: int, area_government: bool) -> dt.date:
    """31 March of the following year for a 县级以上地方人民政府 reporting for its area, 31 January
    for every other body."""
    return dt.date(year + 1, 3, 31) if area_government else dt.date(year + 1, 1, 31)


@dataclass(frozen=True, slots=True)
class Period:
    start: dt.date
    end: dt.date
    text: str
    section: str
    loc: Location | None


def statistics_period(report: Report) -> Period | None:
    """The period the statistics cover as the text states it (本年报所列数据的统计期限自2021年1月1日
    起至2021年12月31日止), or None."""
    for key, section in report.sections.items():
        if "统计" not in section.text:
            continue
        found = _section_period(section.text)
        if found is not None:
            start, end, text, line = found
            return Period(start, end, text, key, locate(report, line[:30], key))
    return None


def _section_period(text: str) -> tuple[dt.date, dt.date, str, str] | None:
    """(start, end, the words that say so, their line) of the first period a section's text
    states: a pure function of the text, which recurs from report to report (kept, bounded)."""
    try:
        return _PERIODS[text]
    except KeyError:
        pass
    found: tuple[dt.date, dt.date, str, str] | None = None
    for line in text.split("\n"):
        folded = fold(line)
        if "统计" not in folded:  # every wording of _PERIOD_RE has it
            continue
        m = _PERIOD_RE.search(folded)
        if not m:
            continue
        try:
            start = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            end = dt.date(int(m.group(4)), int(m.group(5)), int(m.group(6)))
        except ValueError:
            continue
        found = (start, end, m.group(0), line)
        break
    remember(_PERIODS, 1024, text, found)
    return found


_PERIODS: dict[str, tuple[dt.date, dt.date, str, str] | None] = {}


def title_year(report: Report) -> int | None:
    title = report.meta.title
    if not title:
        return None
    m = _TITLE_YEAR_RE.search(fold(title))
    return int(m.group(1)) if m else None
