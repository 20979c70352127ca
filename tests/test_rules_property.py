"""Property tests: seed-like reports built from generated numbers (tests/textgen.py renders them
in the layouts of the seeds), parsed, then checked.

- Tables that balance never trigger a balance rule, nor an unverifiable sum.
- Changing any one count of table 三 or 四 always triggers the rule of the equation it breaks,
  at the changed row.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import textgen
from gongkai.formats import load_format
from gongkai.pipeline import parse_bytes
from gongkai.rules import CheckConfig, check_report

LAYOUTS = ["pipe", "tab", "lines", "markdown"]
BALANCE = CheckConfig(select=("B001", "B002", "B003", "B004", "B005", "F015"))
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

counts = st.one_of(st.just(0), st.integers(0, 9), st.integers(0, 3000))


@st.composite
def balanced_values(draw: st.DrawFn, fmt: str) -> dict[str, Any]:
    """Values under the format's keys that satisfy every sum of tables 三 and 四."""
    spec = load_format(fmt)
    req = spec.tables["requests"]
    outcome_rows = [k for k in req.sum("B003").rhs if not req.rows[k].optional]
    APPLICANT_COLUMNS = req.sum("B002").rhs
    rows: dict[str, dict[str, Any]] = {k: {c: draw(counts) for c in APPLICANT_COLUMNS} for k in outcome_rows}
    total = {c: sum(rows[k][c] for k in outcome_rows) for c in APPLICANT_COLUMNS}
    forward = {c: draw(st.integers(0, 40)) for c in APPLICANT_COLUMNS}
    over = {c: draw(st.integers(0, total[c] + forward[c])) for c in APPLICANT_COLUMNS}
    new = {c: total[c] + forward[c] - over[c] for c in APPLICANT_COLUMNS}
    rows.update(new=new, carried_over=over, total=total, carried_forward=forward)
    for r in rows.values():
        r["total"] = sum(r[c] for c in APPLICANT_COLUMNS)
    if fmt == "2021":
        rows["other_handling"] = dict.fromkeys(req.columns)
    requests = {k: rows[k] for k in req.rows}

    proactive: dict[str, dict[str, Any]] = {}
    pro = spec.tables["proactive"]
    for k, r in pro.rows.items():
        proactive[k] = {}
        for c in r.columns:
            col = pro.columns[c]
            if col.signed:
                proactive[k][c] = draw(st.integers(-20, 20))
            elif col.kind == "money":
                proactive[k][c] = draw(st.sampled_from([0, 12.5, 36609]))
            else:
                proactive[k][c] = draw(counts)
    appeals: dict[str, dict[str, Any]] = {}
    for k in spec.tables["appeals"].rows:
        parts = [draw(counts) for _ in spec.tables["appeals"].sum("B004").rhs]
        appeals[k] = dict(zip(spec.tables["appeals"].sum("B004").rhs, parts, strict=True))
        appeals[k]["total"] = sum(parts)
    return {"proactive": proactive, "requests": requests, "appeals": appeals}


def parse_rendered(values: dict[str, Any], fmt: str, layout: str):
    text = textgen.render(values, fmt, layout)
    report = parse_bytes(text.encode("utf-8"), f"generated-{layout}.txt")
    # the property is about the rules: the parser must have read what was written
    got = report.to_dict()["tables"]
    want = textgen.expected_tables(values, fmt)
    for t in ("requests", "appeals"):
        assert got[t] == want[t], f"parser misread table {t} in layout {layout}"
    return report


def fmt_values_layout(fmt: str):
    return st.tuples(st.just(fmt), balanced_values(fmt), st.sampled_from(LAYOUTS))


any_case = st.one_of(fmt_values_layout("2019"), fmt_values_layout("2021"))


@SETTINGS
@given(case=any_case)
def test_balanced_tables_never_trigger_balance_rules(case):
    fmt, values, layout = case
    report = parse_rendered(values, fmt, layout)
    assert check_report(report, BALANCE, raise_errors=True) == []


@st.composite
def perturbation(draw: st.DrawFn) -> tuple[str, dict[str, Any], str, str, str, str, int]:
    fmt = draw(st.sampled_from(["2019", "2021"]))
    values = draw(balanced_values(fmt))
    layout = draw(st.sampled_from(LAYOUTS))
    spec = load_format(fmt)
    table = draw(st.sampled_from(["requests", "appeals"]))
    rows = [k for k, r in spec.tables[table].rows.items() if not r.optional]
    row = draw(st.sampled_from(rows))
    column = draw(st.sampled_from(list(spec.tables[table].rows[row].columns)))
    current = values[table][row][column]
    delta = draw(st.integers(-current, 50).filter(lambda d: d != 0))
    return fmt, values, layout, table, row, column, delta


@SETTINGS
@given(case=perturbation())
def test_one_changed_count_always_triggers_the_broken_equation(case):
    fmt, values, layout, table, row, column, delta = case
    values[table][row][column] += delta
    report = parse_rendered(values, fmt, layout)
    findings = check_report(report, BALANCE, raise_errors=True)
    fired = {(f.code, f.row) for f in findings}
    assert not [f for f in findings if f.code in ("B005", "F015")]
    if table == "appeals":
        assert ("B004", row) in fired
    else:
        # the row's total no longer equals its six applicant columns
        assert ("B002", row) in fired
        # and the column equations through it break as well
        column_rules = {f.code for f in findings if f.column == column}
        if row in ("new", "carried_over", "carried_forward"):
            assert "B001" in column_rules
        elif row == "total":
            assert {"B001", "B003"} <= column_rules
        else:
            assert "B003" in column_rules


QUANTITY_ROWS = {"new": "new", "carried_over": "carried_over", "handled": "total", "carried_forward": "carried_forward"}


@st.composite
def report_with_text(draw: st.DrawFn) -> tuple[dict[str, Any], str, str | None]:
    """A balanced 2021 report whose text states its table-三 totals, one of them perhaps off by
    some amount (the quantity changed, or None)."""
    values = draw(balanced_values("2021"))
    req = values["requests"]
    # the quantities of formats/2021.toml: handled is the (七)总计 row
    stated = {q: req[row]["total"] for q, row in QUANTITY_ROWS.items()}
    changed = draw(st.sampled_from([None, *QUANTITY_ROWS]))
    if changed is not None:
        stated[changed] += draw(st.integers(1, 30))
    text = (
        f"本年度共收到政府信息公开申请{stated['new']}件，上年结转{stated['carried_over']}件，"
        f"办结{stated['handled']}件，结转下年度继续办理{stated['carried_forward']}件。"
    )
    return values, text, changed


@SETTINGS
@given(case=report_with_text(), layout=st.sampled_from(LAYOUTS))
def test_text_counts_against_the_table(case, layout):
    values, text, changed = case
    report = parse_bytes(textgen.render(values, "2021", layout, requests_text=text).encode("utf-8"), "t.txt")
    found = [f for f in check_report(report, CheckConfig(select=("N001",)), raise_errors=True)]
    assert [f.figures["quantity"] for f in found] == ([changed] if changed else [])
