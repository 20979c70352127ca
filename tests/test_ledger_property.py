"""Property: whatever a ledger holds — dates in and out of the year, replies late or never,
unreadable cells, outcomes that do not exist, last year's ledger or not — table 三 counted from
it balances: gongkai's own balance rules (B001–B003) find nothing in it."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.formats import format_for_year
from gongkai.ledger import LedgerFile, analyse
from gongkai.ledger.columns import applicant_columns, outcome_choice, outcome_rows, read_row
from gongkai.rules import CheckConfig, check_report

YEARS = (2020, 2022, 2024, 2025)
BALANCE = CheckConfig().with_cli(select=["B001", "B002", "B003"])


def _date_text(d: dt.date, style: int) -> str:
    return [d.isoformat(), f"{d.year}/{d.month}/{d.day}", f"{d.year}年{d.month}月{d.day}日", d.strftime("%Y%m%d")][
        style
    ]


@st.composite
def cells(draw, year: int) -> dict[str, str]:
    spec = format_for_year(year).tables["requests"]
    start = dt.date(year - 2, 1, 1)
    received = start + dt.timedelta(days=draw(st.integers(0, 4 * 366)))
    style = draw(st.integers(0, 3))
    out: dict[str, str] = {"channel": draw(st.sampled_from(["网络", "当面", "信函", "传真", "其他", "邮寄", "飞鸽"]))}
    out["received"] = draw(st.sampled_from([_date_text(received, style), _date_text(received, 0), "", "2024-02-30"]))
    applicants = [spec.columns[c].label for c in applicant_columns(spec)] + list(applicant_columns(spec))
    out["applicant"] = draw(st.sampled_from([*applicants, "", "企业"]))
    if draw(st.booleans()):
        reply = received + dt.timedelta(days=draw(st.integers(-5, 150)))
        out["replied"] = draw(st.sampled_from([_date_text(reply, style), "不详"]))
    if draw(st.integers(0, 9)) < 8:
        rows = outcome_rows(spec)
        key = draw(st.sampled_from(rows))
        out["outcome"] = draw(
            st.sampled_from([key, spec.rows[key].label, outcome_choice(spec, key), "不予公开", "撤回"])
        )
    if draw(st.booleans()):
        out["correction_requested"] = _date_text(received + dt.timedelta(days=draw(st.integers(0, 20))), 0)
        if draw(st.booleans()):
            out["correction_received"] = _date_text(received + dt.timedelta(days=draw(st.integers(1, 40))), 0)
    if draw(st.booleans()):
        begin = received + dt.timedelta(days=draw(st.integers(0, 30)))
        out["consultation_start"] = _date_text(begin, 0)
        if draw(st.booleans()):
            out["consultation_end"] = _date_text(begin + dt.timedelta(days=draw(st.integers(0, 30))), 0)
    if draw(st.booleans()):
        out["extended"] = draw(st.sampled_from(["是", "否", "也许"]))
        if draw(st.booleans()):
            out["extension_date"] = _date_text(received + dt.timedelta(days=draw(st.integers(0, 50))), 0)
    if draw(st.booleans()):
        out["id"] = f"N{draw(st.integers(0, 30))}"
    return out


@st.composite
def ledgers(draw):
    year = draw(st.sampled_from(YEARS))
    spec = format_for_year(year).tables["requests"]
    rows = draw(st.lists(cells(year), max_size=25))
    current = [read_row(spec, "this.csv", i + 2, r) for i, r in enumerate(rows)]
    previous = None
    if draw(st.booleans()):
        old = draw(st.lists(cells(year - 1), max_size=15))
        previous = [read_row(spec, "last.csv", i + 2, r) for i, r in enumerate(old)]
    return year, current, previous


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers())
def test_table_3_from_any_ledger_balances(case):
    year, current, previous = case
    result = analyse(
        LedgerFile("this.csv", "", 0, current),
        year,
        previous=LedgerFile("last.csv", "", 0, previous) if previous is not None else None,
    )
    findings = check_report(result.report(), BALANCE, raise_errors=True)
    assert [f.code for f in findings] == [], [f.message for f in findings]
    values = result.table.to_values()
    placed = [c.placement for c in result.checked if c.placement.counted]
    assert values["new"]["total"] == sum(p.new for p in placed)
    assert values["carried_over"]["total"] == sum(p.carried_over for p in placed)
    assert values["total"]["total"] == sum(p.outcome is not None for p in placed)
    assert values["carried_forward"]["total"] == sum(p.carried_forward for p in placed)
    assert all(v is not None and v >= 0 for k, row in values.items() if k != "other_handling" or year < 2021
               for v in row.values())  # fmt: skip
    # Every application is counted, or says why not.
    for c in result.checked:
        if not c.placement.counted and c.placement.skipped == "incomplete":
            assert {f.code for f in c.findings} & {"L001", "L002", "L003"}, c.app
