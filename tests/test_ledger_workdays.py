"""Deadlines of the request ledger, counted by hand from the State Council's holiday schedules.

Every expected date below is worked out in its comment from the official schedule, not from the
code. The schedules used:

2024 (国务院办公厅关于2024年部分节假日安排的通知):
  元旦 1 Jan; 春节 10–17 Feb off, Sun 4 Feb and Sun 18 Feb worked; 清明 4–6 Apr off, Sun 7 Apr
  worked; 劳动节 1–5 May off, Sun 28 Apr and Sat 11 May worked; 端午 10 Jun; 中秋 15–17 Sep off,
  Sat 14 Sep worked; 国庆 1–7 Oct off, Sun 29 Sep and Sat 12 Oct worked.
2025 (国务院办公厅关于2025年部分节假日安排的通知):
  元旦 1 Jan; 春节 28 Jan–4 Feb off, Sun 26 Jan and Sat 8 Feb worked; 清明 4–6 Apr off;
  劳动节 1–5 May off, Sun 27 Apr worked; 端午 31 May–2 Jun off; 国庆·中秋 1–8 Oct off, Sun 28 Sep
  and Sat 11 Oct worked.

Counting (docs/ledger.md): the day the period starts from is not counted; the first working day
after it is day 1; a reply on the 20th counted working day is on time.
"""

from __future__ import annotations

import datetime as dt

import pytest

from gongkai.formats import format_for_year
from gongkai.ledger import LedgerFile, analyse
from gongkai.ledger.columns import read_row
from gongkai.ledger.workdays import CalendarMissing, Pause, add_workdays, covered_years, is_workday, workdays_between

D = dt.date


def app(line: int = 2, **cells: object):
    """One application from its cells (field key → text), as a ledger row gives it."""
    year = 2024
    values = {"channel": "网络", "applicant": "自然人", **cells}
    return read_row(format_for_year(year).tables["requests"], "t.csv", line, values)


def run(year: int, *apps, as_of: dt.date | None = None):
    return analyse(LedgerFile("t.csv", "", 0, list(apps)), year, as_of=as_of)


def only(result):
    assert len(result.checked) == 1
    return result.checked[0]


def codes(result) -> list[str]:
    return [f.code for f in result.findings]


# --- the calendar ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2024, 2, 4), True),  # Sunday worked for 春节 2024
        (D(2024, 2, 9), True),  # 除夕 2024 is a Friday and a working day (the holiday is 10–17 Feb)
        (D(2024, 2, 12), False),  # Monday in 春节
        (D(2024, 2, 18), True),  # Sunday worked
        (D(2024, 9, 29), True),  # Sunday worked for 国庆 2024
        (D(2024, 10, 7), False),  # Monday in 国庆
        (D(2024, 10, 12), True),  # Saturday worked
        (D(2025, 1, 26), True),  # Sunday worked for 春节 2025
        (D(2025, 1, 28), False),  # 除夕 2025, a holiday from 2025 on
        (D(2025, 2, 8), True),  # Saturday worked
        (D(2025, 10, 8), False),  # Wednesday, last day of 国庆·中秋 2025
        (D(2025, 10, 11), True),  # Saturday worked
        (D(2024, 3, 2), False),  # an ordinary Saturday
    ],
)
def test_working_days_follow_the_official_schedule(day, working):
    assert is_workday(day) is working


def test_day_one_is_the_first_working_day_after_receipt():
    # Received Friday 1 March 2024: Sat 2 and Sun 3 are not working days, Monday 4 March is day 1.
    assert workdays_between(D(2024, 3, 1), D(2024, 3, 1)) == 0  # a reply the same day: no day used
    assert workdays_between(D(2024, 3, 1), D(2024, 3, 3)) == 0
    assert workdays_between(D(2024, 3, 1), D(2024, 3, 4)) == 1
    assert add_workdays(D(2024, 3, 1), 1) == D(2024, 3, 4)
    assert add_workdays(D(2024, 3, 1), 0) == D(2024, 3, 1)


@pytest.mark.parametrize(
    ("received", "deadline"),
    [
        # Fri 2 Feb 2024. Day 1 Sun 4 Feb (worked), 5–9 Feb days 2–6; 10–17 Feb off; Sun 18 Feb day 7,
        # 19–23 Feb days 8–12, 26 Feb–1 Mar days 13–17, Mon 4 – Wed 6 Mar days 18–20.
        (D(2024, 2, 2), D(2024, 3, 6)),
        # Fri 9 Feb 2024, the last working day before 春节. Day 1 Sun 18 Feb, 19–23 Feb days 2–6,
        # 26 Feb–1 Mar days 7–11, 4–8 Mar days 12–16, Mon 11 – Thu 14 Mar days 17–20.
        (D(2024, 2, 9), D(2024, 3, 14)),
        # Mon 30 Sep 2024, the last working day before 国庆. 1–7 Oct off; Tue 8 – Fri 11 Oct days 1–4,
        # Sat 12 Oct (worked) day 5, 14–18 Oct days 6–10, 21–25 Oct days 11–15, 28–31 Oct days 16–19,
        # Fri 1 Nov day 20.
        (D(2024, 9, 30), D(2024, 11, 1)),
        # Sun 29 Sep 2024, a 调休 working Sunday. Day 1 Mon 30 Sep; 8–11 Oct days 2–5, Sat 12 Oct day 6,
        # 14–18 Oct days 7–11, 21–25 Oct days 12–16, 28–31 Oct days 17–20.
        (D(2024, 9, 29), D(2024, 10, 31)),
        # Thu 3 Oct 2024, confirmed online during the holiday: day 1 is Tue 8 Oct, as for 30 Sep.
        (D(2024, 10, 3), D(2024, 11, 1)),
        # Fri 24 Jan 2025. Day 1 Sun 26 Jan (worked), Mon 27 Jan day 2; 28 Jan–4 Feb off; 5–7 Feb days
        # 3–5, Sat 8 Feb day 6, 10–14 Feb days 7–11, 17–21 Feb days 12–16, Mon 24 – Thu 27 Feb days 17–20.
        (D(2025, 1, 24), D(2025, 2, 27)),
        # Mon 27 Jan 2025, the last working day before 春节. Day 1 Wed 5 Feb, 6–7 Feb days 2–3, Sat 8 Feb
        # day 4, 10–14 Feb days 5–9, 17–21 Feb days 10–14, 24–28 Feb days 15–19, Mon 3 Mar day 20.
        (D(2025, 1, 27), D(2025, 3, 3)),
        # Fri 20 Dec 2024. 23–27 Dec days 1–5, 30–31 Dec days 6–7; 1 Jan 2025 off; 2–3 Jan days 8–9,
        # 6–10 Jan days 10–14, 13–17 Jan days 15–19, Mon 20 Jan day 20.
        (D(2024, 12, 20), D(2025, 1, 20)),
    ],
)
def test_twenty_working_days_across_holidays(received, deadline):
    assert add_workdays(received, 20) == deadline
    assert workdays_between(received, deadline) == 20
    assert workdays_between(received, deadline - dt.timedelta(days=1)) < 20


def test_a_reply_on_the_deadline_is_on_time_and_the_next_working_day_is_late():
    on_time = run(2024, app(received="2024-02-02", replied="2024-03-06", outcome="予以公开"))
    late = run(2024, app(received="2024-02-02", replied="2024-03-07", outcome="予以公开"))
    assert only(on_time).timing.status == "on_time" and only(on_time).timing.used == 20
    assert only(on_time).timing.deadline == D(2024, 3, 6)
    assert codes(on_time) == []
    assert only(late).timing.status == "late" and only(late).timing.used == 21
    assert codes(late) == ["L005"]
    f = late.findings[0]
    assert f.line == 2 and f.figures["deadline"] == D(2024, 3, 6) and f.figures["used"] == 21
    assert "2024-03-06" in f.message and "21" in f.message


def test_an_extension_in_time_adds_twenty_working_days():
    # Thu 25 Sep 2025. Day 1 Fri 26 Sep, Sun 28 Sep (worked) day 2, 29–30 Sep days 3–4; 1–8 Oct off;
    # 9–10 Oct days 5–6, Sat 11 Oct day 7, 13–17 Oct days 8–12, 20–24 Oct days 13–17, 27–29 Oct days
    # 18–20: the first period ends Wed 29 Oct. Then 30–31 Oct days 21–22, 3–7 Nov days 23–27, 10–14
    # Nov days 28–32, 17–21 Nov days 33–37, 24–26 Nov days 38–40: extended to Wed 26 Nov.
    assert add_workdays(D(2025, 9, 25), 20) == D(2025, 10, 29)
    assert add_workdays(D(2025, 9, 25), 40) == D(2025, 11, 26)
    base = {"received": "2025-09-25", "extended": "是", "extension_date": "2025-10-29", "outcome": "予以公开"}
    on_time = run(2025, app(**base, replied="2025-11-26"))
    assert codes(on_time) == []
    assert only(on_time).timing.allowed == 40 and only(on_time).timing.deadline == D(2025, 11, 26)
    late = run(2025, app(**base, replied="2025-11-27"))
    assert codes(late) == ["L005"]


def test_an_extension_after_the_first_period_does_not_count():
    # The first period of 25 Sep 2025 ends 29 Oct (above): an extension on Thu 30 Oct is day 21.
    result = run(
        2025,
        app(
            received="2025-09-25", extended="是", extension_date="2025-10-30", replied="2025-11-10", outcome="予以公开"
        ),
    )
    assert codes(result) == ["L005", "L007"]
    l007 = next(f for f in result.findings if f.code == "L007")
    assert l007.figures["deadline"] == D(2025, 10, 29) and "第 21 个工作日" in l007.message
    assert only(result).timing.allowed == 20


def test_an_extension_marked_yes_without_its_date_is_missing_and_taken_as_in_time():
    result = run(2025, app(received="2025-09-25", extended="是", replied="2025-11-26", outcome="予以公开"))
    assert codes(result) == ["L001"]
    assert result.findings[0].field == "extension_date"
    assert only(result).timing.allowed == 40


def test_correction_restarts_the_period_from_its_receipt():
    # Received Fri 20 Sep 2024; 补正 requested Tue 24 Sep (day 2 of 7: Mon 23 is day 1); the 补正
    # arrives Wed 9 Oct. From it: Thu 10 Oct day 1, Fri 11 day 2, Sat 12 (worked) day 3, 14–18 Oct days
    # 4–8, 21–25 Oct days 9–13, 28 Oct–1 Nov days 14–18, Mon 4 Nov day 19, Tue 5 Nov day 20.
    cells = {"received": "2024-09-20", "correction_requested": "2024-09-24", "correction_received": "2024-10-09"}
    on_time = run(2024, app(**cells, replied="2024-11-05", outcome="予以公开"))
    timing = only(on_time).timing
    assert (timing.start, timing.start_from, timing.deadline) == (D(2024, 10, 9), "correction_received", D(2024, 11, 5))
    assert codes(on_time) == []
    assert codes(run(2024, app(**cells, replied="2024-11-06", outcome="予以公开"))) == ["L005"]


def test_no_period_runs_while_the_correction_has_not_arrived():
    result = run(2024, app(received="2024-06-03", correction_requested="2024-06-05"))
    assert only(result).timing.status == "awaiting_correction"
    assert codes(result) == []
    assert only(result).placement.carried_forward


def test_correction_must_be_requested_within_seven_working_days():
    # Received Fri 27 Sep 2024: Sun 29 Sep (worked) day 1, Mon 30 Sep day 2; 1–7 Oct off; 8–11 Oct
    # days 3–6, Sat 12 Oct (worked) day 7. A request on Sat 12 Oct is in time, on Mon 14 Oct late.
    assert add_workdays(D(2024, 9, 27), 7) == D(2024, 10, 12)
    in_time = run(2024, app(received="2024-09-27", correction_requested="2024-10-12"))
    late = run(2024, app(received="2024-09-27", correction_requested="2024-10-14"))
    assert codes(in_time) == []
    assert codes(late) == ["L008"]
    assert late.findings[0].figures["limit"] == D(2024, 10, 12)


def test_third_party_consultation_is_not_counted():
    # Received Mon 3 Mar 2025. 4–7 Mar days 1–4, Mon 10 Mar (consultation sent) day 5. The working days
    # after it up to its end Fri 21 Mar — 11–14 and 17–21 Mar, 9 days — are not counted. Then 24–28 Mar
    # days 6–10, 31 Mar–3 Apr days 11–14; 4–6 Apr 清明 off; 7–11 Apr days 15–19, Mon 14 Apr day 20.
    # Without the consultation the deadline would be Mon 31 Mar (4–7, 10–14, 17–21, 24–28 Mar, 31 Mar).
    assert add_workdays(D(2025, 3, 3), 20) == D(2025, 3, 31)
    pause = Pause(D(2025, 3, 10), D(2025, 3, 21))
    assert add_workdays(D(2025, 3, 3), 20, [pause]) == D(2025, 4, 14)
    cells = {"received": "2025-03-03", "consultation_start": "2025-03-10", "consultation_end": "2025-03-21"}
    on_time = run(2025, app(**cells, replied="2025-04-14", outcome="（三）不予公开 4.保护第三方合法权益"))
    timing = only(on_time).timing
    assert codes(on_time) == []
    assert (timing.deadline, timing.used, timing.paused) == (D(2025, 4, 14), 20, 9)
    late = run(2025, app(**cells, replied="2025-04-15", outcome="withheld_third_party"))
    assert codes(late) == ["L005"]
    assert "征求意见的 9 个工作日不计入" in late.findings[0].message


def test_an_open_consultation_keeps_a_pending_application_from_being_overdue():
    # Received 1 Nov 2024, consultation from 4 Nov (day 1) and still running on 31 Dec: one day used.
    result = run(2024, app(received="2024-11-01", consultation_start="2024-11-04"))
    timing = only(result).timing
    assert timing.status == "pending" and timing.used == 1 and timing.deadline is None
    assert codes(result) == []


def test_an_application_carried_into_the_next_year():
    # Received Fri 20 Dec 2024, no reply by 31 Dec: carried forward; due Mon 20 Jan 2025 (above), so
    # not overdue at the year's end.
    pending = run(2024, app(received="2024-12-20"))
    c = only(pending)
    assert c.placement.new and c.placement.carried_forward and c.placement.outcome is None
    assert c.timing.status == "pending" and c.timing.deadline == D(2025, 1, 20) and c.timing.used == 7
    assert codes(pending) == []
    # In the 2025 ledger it is carried over, and handled on time on 20 Jan, late on 21 Jan.
    on_time = run(2025, app(received="2024-12-20", replied="2025-01-20", outcome="予以公开"))
    assert only(on_time).placement.carried_over and only(on_time).placement.outcome == "granted"
    assert codes(on_time) == []
    assert codes(run(2025, app(received="2024-12-20", replied="2025-01-21", outcome="予以公开"))) == ["L005"]


def test_a_pending_application_past_its_deadline_at_the_years_end():
    # Received Fri 1 Nov 2024: 4–8, 11–15, 18–22, 25–29 Nov are days 1–20: due Fri 29 Nov 2024.
    result = run(2024, app(received="2024-11-01"))
    assert codes(result) == ["L006"]
    assert result.findings[0].figures["deadline"] == D(2024, 11, 29)
    assert only(result).timing.status == "overdue"
    # Judged on 29 Nov itself it is not yet late (the reply is due by the end of that day)… but it
    # is once the day has passed.
    assert codes(run(2024, app(received="2024-11-01"), as_of=D(2024, 11, 28))) == []
    assert codes(run(2024, app(received="2024-11-01"), as_of=D(2024, 11, 29))) == ["L006"]


def test_a_year_the_calendar_does_not_cover_is_an_error_naming_it():
    _first, last = covered_years()
    with pytest.raises(CalendarMissing) as exc:
        is_workday(D(last + 1, 3, 2))
    assert exc.value.year == last + 1 and str(last + 1) in str(exc.value)
    with pytest.raises(CalendarMissing):
        add_workdays(D(last, 12, 20), 20)  # the period runs into the next year
    # A reply in the uncovered year cannot be checked: L011 names the year, nothing is guessed.
    result = run(last, app(received=f"{last}-12-20", replied=f"{last + 1}-01-25", outcome="予以公开"))
    assert codes(result) == ["L011"]
    f = result.findings[0]
    assert f.figures["year"] == last + 1 and str(last + 1) in f.message and f.figures["rows"] == [2]
    assert only(result).timing.status == "not_checked"
    # Pending at the end of the last covered year: judged on 31 December, which the calendar knows.
    pending = run(last, app(received=f"{last}-12-20"))
    assert codes(pending) == []
    assert only(pending).timing.status == "pending" and only(pending).timing.deadline is None
    # A ledger for a year past the calendar: every deadline is L011, once per year.
    future = run(last + 4, app(received=f"{last + 4}-03-02", replied=f"{last + 4}-03-20", outcome="予以公开"))
    assert codes(future) == ["L011"] and future.findings[0].figures["year"] == last + 4
    assert only(future).placement.counted  # still counted in table 三


def test_an_application_under_the_2007_regulation_is_counted_not_checked():
    result = run(2019, app(received="2019-03-01", replied="2019-06-28", outcome="予以公开"))
    assert codes(result) == ["L014"]
    assert only(result).placement.new and only(result).placement.outcome == "granted"


def test_an_application_pending_for_years_is_overdue_not_a_crash():
    # Received Mon 3 Jun 2019 and still pending at the end of 2025: long past its deadline. 2019's
    # 端午 was Fri 7 Jun (off, no 调休): Tue 4 – Thu 6 Jun days 1–3, 10–14 Jun days 4–8, 17–21 Jun
    # days 9–13, 24–28 Jun days 14–18, Mon 1 Jul day 19, Tue 2 Jul day 20.
    result = run(2025, app(received="2019-06-03"))
    assert codes(result) == ["L006"]
    assert result.findings[0].figures["deadline"] == D(2019, 7, 2)
    assert only(result).placement.carried_over and only(result).placement.carried_forward


def test_an_outcome_that_does_not_exist_after_the_year_still_counts_as_carried_forward():
    result = run(2024, app(received="2024-12-20", replied="2025-01-10", outcome="撤回"))
    assert codes(result) == ["L003"]
    assert "不计入" not in result.findings[0].message
    assert only(result).placement.counted and only(result).placement.carried_forward
