"""Every rule, failing and passing, on the real layouts: a seed's text with one thing changed.

Seed 003 (cells joined by `` | ``, format 2021) is the base unless a rule needs another layout:
002 for the 2019 format and page dates, 001 for tabs and the statistics period, 004 for the
breakdown sentence.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from conftest import SEEDS
from gongkai.model import Report
from gongkai.pipeline import parse_bytes
from gongkai.rules import CheckConfig, Finding, check_report

# The three 2021 其他处理 sub-rows of 003, as written
SUB_ROWS_003 = (52, 53, 54)
ZEROS7 = "0  | 0  | 0  | 0  | 0  | 0  | 0  | ||"


def seed_lines(seed: str) -> list[str]:
    return Path(SEEDS[seed]).read_text(encoding="utf-8").split("\n")


def edit(seed: str, changes: dict[int, str | None] | None = None, replace_text: dict[str, str] | None = None) -> str:
    """The seed's text with lines replaced (1-based; None deletes) and substrings replaced (each
    must occur)."""
    lines = seed_lines(seed)
    for number, new in (changes or {}).items():
        lines[number - 1] = new  # type: ignore[call-overload]
    text = "\n".join(line for line in lines if line is not None)
    for old, new in (replace_text or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def parse(text: str) -> Report:
    return parse_bytes(text.encode("utf-8"), "case.txt")


def run(text: str, select: str | None = None) -> list[Finding]:
    config = CheckConfig(select=(select,)) if select else None
    return check_report(parse(text), config, raise_errors=True)


def codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings}


def only(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def base003(changes: dict[int, str | None] | None = None) -> str:
    """003 with its two short rows completed: every sum of its tables can be verified."""
    return edit(
        "003", {40: "5.属于三类内部事务信息  | " + ZEROS7, 56: "四、结转下年度继续办理  | " + ZEROS7, **(changes or {})}
    )


def cells(*values: object) -> str:
    return "  | ".join(str(v) for v in values) + "  | ||"


# --- F: format -------------------------------------------------------------------------------


def test_f001_missing_section_heading():
    text = edit("003", {62: None})  # 五、存在的主要问题及改进情况
    found = only(run(text), "F001")
    assert [(f.section, f.severity) for f in found] == [("problems", "error")]
    assert "五、存在的主要问题及改进情况" in found[0].message
    assert not only(run(edit("003")), "F001")


def test_f001_required_sections_option():
    text = edit("003", {62: None})
    config = CheckConfig(options={"required-sections": ["overview", "requests"]})
    assert not only(check_report(parse(text), config), "F001")


def test_f002_missing_table():
    text = edit("003", {58: None, 59: None, 60: None, 61: None})
    found = only(run(text), "F002")
    assert [(f.table, f.section) for f in found] == [("appeals", "appeals")]
    assert "表四" in found[0].message
    # no cascade of missing rows or unverifiable sums for a missing table
    assert not [f for f in run(text) if f.table == "appeals" and f.code != "F002"]


def test_f002_table_without_numbers():
    # A table 四 of dashes only is not read as a table at all …
    text = edit("003", {61: "|".join(["——"] * 15)})
    assert [f.table for f in only(run(text), "F002")] == ["appeals"]
    # … and a table read with no number in it is unreadable.
    report = parse(edit("003"))
    for row in report.tables["appeals"].rows.values():
        for column, value in row.values.items():
            row.values[column] = replace(value, value=None, status="blank")
        row.cells = [replace(c, value=None, status="blank") for c in row.cells]
    found = only(check_report(report), "F002")
    assert [f.table for f in found] == ["appeals"]
    assert "读不到任何数值" in found[0].message
    assert found[0].line == 58


def test_f003_missing_row():
    text = edit("003", {45: None})  # 2.没有现成信息需要另行制作
    found = only(run(text), "F003")
    assert [(f.table, f.row) for f in found] == [("requests", "unable_needs_creation")]
    assert "没有现成信息需要另行制作" in found[0].message


def single_other_handling_003(values: str = ZEROS7) -> str:
    """003 with the 2019 single （六）其他处理 row in place of the three 2021 sub-rows (洪泽区)."""
    return base003({52: "(六)其他处理  | " + values, 53: None, 54: None})


def test_f003_not_for_sub_rows_replaced_by_single_other_handling():
    findings = run(single_other_handling_003())
    assert not only(findings, "F003")
    assert [f.row for f in only(findings, "F013")] == ["other_handling"]


def test_f004_too_many_values_seed_001(seed_reports):
    found = only(check_report(seed_reports["001"]), "F004")
    assert len(found) == 18
    first = found[0]
    assert (first.table, first.row, first.line) == ("requests", "withheld_third_party", 59)
    assert first.figures["values"] == 11 and first.figures["columns"] == 7


def test_f004_one_extra_value():
    text = edit("003", {33: "二、上年结转政府信息公开申请数量  | " + "0  | " * 8 + "||"})
    found = only(run(text), "F004")
    assert [(f.row, f.line) for f in found] == [("carried_over", 33)]


def test_f005_too_few_values_and_fixed():
    found = only(run(edit("003")), "F005")
    assert [(f.row, f.line) for f in found] == [("withheld_internal", 40), ("carried_forward", 56)]
    fixed = edit("003", {40: "5.属于三类内部事务信息  | " + ZEROS7})
    assert [f.row for f in only(run(fixed), "F005")] == ["carried_forward"]


def test_f006_not_a_number():
    text = edit("003", {20: "行政许可  | 100%  | ||"})
    found = only(run(text), "F006")
    assert [(f.table, f.row, f.column, f.line) for f in found] == [("proactive", "licensing", "decisions", 20)]
    assert "100%" in found[0].message
    assert not only(run(edit("003")), "F006")


def test_f007_superseded_format():
    text = edit(
        "002", replace_text={"西藏自治区医疗保障局2020年 政府信息公开": "西藏自治区医疗保障局2021年 政府信息公开"}
    )
    found = only(run(text), "F007")
    assert len(found) == 1 and found[0].table == "proactive"
    assert found[0].figures == {"year": 2021, "format": "2019"}
    assert not only(run(edit("002")), "F007")


def test_f008_extra_row_seed_000(seed_reports):
    found = only(check_report(seed_reports["000"]), "F008")
    assert [(f.row, f.line, f.severity) for f in found] == [("其他主动公开文件", 18, "info")]


def test_f009_stray_values():
    text = edit("003", {30: "7  | 8  | ||"})
    found = only(run(text), "F009")
    assert len(found) == 1 and found[0].table == "requests" and found[0].line == 30
    assert found[0].figures["count"] == 2
    assert not only(run(edit("003")), "F009")


def test_f010_unit_unknown():
    text = edit("002", replace_text={"36609万元": "36609"})
    found = only(run(text), "F010")
    assert [(f.row, f.column, f.severity) for f in found] == [("procurement", "amount", "info")]
    assert not only(run(edit("002")), "F010")
    # a zero needs no unit (seed 000)
    assert not only(run(edit("000")), "F010")


def test_f011_agency_unknown():
    text = edit("003", {2: "一年来，我们认真落实政府信息公开工作。", 66: None})
    report = parse(text)
    assert report.meta.agency is None
    found = only(check_report(report), "F011")
    assert [f.figures["field"] for f in found] == ["agency"]
    assert found[0].severity == "warning"
    assert not only(run(edit("003")), "F011")


def test_f011_region_unknown():
    text = edit("003", {2: "本局2023年认真落实政府信息公开工作。", 66: "医疗保障局"})
    report = parse(text)
    if report.meta.agency is None:
        pytest.skip("the parser no longer reads a bare 医疗保障局 as the agency")
    found = only(check_report(report), "F011")
    assert [f.figures["field"] for f in found] == ["region"]


def test_f012_blank_value_seed_002(seed_reports):
    found = only(check_report(seed_reports["002"]), "F012")
    # two blank cells of one table: one finding that lists both, pointing at the first
    assert [(f.table, f.row, f.column, f.line) for f in found] == [("proactive", "other_services", "change", 69)]
    assert found[0].figures == {"count": 2, "cells": "other_services.change other_services.decisions"}
    assert "2 个单元格" in found[0].message and "处理决定数量" in found[0].message
    assert all(f.severity == "warning" for f in found)
    # a single blank cell is named as such
    one = only(run(edit("003", {20: "行政许可  | ——  | ||"})), "F012")
    assert [(f.row, f.column) for f in one] == [("licensing", "decisions")]


def test_f013_superseded_row():
    assert [f.row for f in only(run(single_other_handling_003()), "F013")] == ["other_handling"]
    assert not only(run(edit("003")), "F013")


def test_f014_inferred_value():
    report = parse(edit("003"))
    row = report.tables["proactive"].rows["licensing"]
    row.values["decisions"] = replace(row.values["decisions"], status="inferred", inferred_by="run-together digits")
    found = only(check_report(report), "F014")
    assert [(f.row, f.column, f.note) for f in found] == [("licensing", "decisions", "run-together digits")]
    assert not only(run(edit("003")), "F014")
    # a row read from one run of digits is one finding listing its cells, not one per cell
    flat = edit("003", {32: "一、本年新收政府信息公开申请数量210000021"})
    rows = only(run(flat), "F014")
    new = [f for f in rows if f.row == "new"]
    assert len(new) == 1 and new[0].column is None
    assert new[0].figures == {
        "natural_person": 21,
        "commercial": 0,
        "research": 0,
        "nonprofit": 0,
        "legal_services": 0,
        "other_org": 0,
        "total": 21,
    }
    assert "7 个数值" in new[0].message and "210000021" in new[0].message


# --- B: balance ------------------------------------------------------------------------------


def test_b001_column_does_not_balance():
    text = base003({32: "一、本年新收政府信息公开申请数量  | " + cells(12, 0, 0, 0, 0, 0, 12)})
    findings = run(text)
    found = only(findings, "B001")
    assert [f.column for f in found] == ["natural_person", "total"]
    f = found[0]
    assert (f.table, f.section, f.line, f.severity) == ("requests", "requests", 32, "error")
    assert "一+二 = 12+0 = 12" in f.message and "三(七)+四 = 0" in f.message
    assert f.figures["new + carried_over"] == 12 and f.figures["total + carried_forward"] == 0
    assert f.figures["new"] == 12
    assert not only(findings, "B002")


def test_b002_row_total_is_not_the_sum_of_applicants():
    text = base003({34: "三、本年度办理结果  | (一)予以公开  | " + cells(0, 0, 0, 0, 0, 0, 3)})
    found = only(run(text), "B002")
    assert [(f.row, f.column, f.line) for f in found] == [("granted", "total", 34)]
    assert "总计 = 3" in found[0].message and "六类申请人之和 = 0" in found[0].message


def test_b003_total_is_not_the_sum_of_outcomes():
    text = base003({34: "三、本年度办理结果  | (一)予以公开  | " + cells(1, 0, 0, 0, 0, 0, 1)})
    findings = run(text)
    found = only(findings, "B003")
    assert [(f.row, f.column) for f in found] == [("total", "natural_person"), ("total", "total")]
    assert "（七）总计 = 0" in found[0].message and "= 1" in found[0].message
    assert found[0].figures["granted"] == 1
    assert not only(findings, "B002")


def test_b003_single_other_handling_row_is_an_operand():
    balanced = single_other_handling_003(cells(1, 0, 0, 0, 0, 0, 1))
    balanced = balanced.replace(
        "一、本年新收政府信息公开申请数量  | 0  | 0  | 0  | 0  | 0  | 0  | 0  | ||",
        "一、本年新收政府信息公开申请数量  | " + cells(1, 0, 0, 0, 0, 0, 1),
    ).replace("(七)总计  | 0  | 0  | 0  | 0  | 0  | 0  | 0  | ||", "(七)总计  | " + cells(1, 0, 0, 0, 0, 0, 1))
    report = parse(balanced)
    assert report.tables["requests"].value("other_handling", "total") == 1
    findings = check_report(report)
    assert not codes(findings) & {"B001", "B002", "B003", "F003"}
    # the absent sub-rows are no operands: no unverifiable sum for them either
    assert not [f for f in only(findings, "F015") if f.figures["rule"] == "B003"]
    unbalanced = balanced.replace(
        "(七)总计  | " + cells(1, 0, 0, 0, 0, 0, 1), "(七)总计  | " + cells(2, 0, 0, 0, 0, 0, 2)
    )
    found = only(run(unbalanced), "B003")
    assert [f.column for f in found] == ["natural_person", "total"]
    assert found[0].figures["other_handling"] == 1


def test_b004_appeals_group_total():
    text = base003({61: "|".join(["1"] + ["0"] * 14)})
    found = only(run(text), "B004")
    assert [(f.table, f.row, f.column) for f in found] == [("appeals", "review", "total")]
    assert "总计 = 0" in found[0].message and "1+0+0+0 = 1" in found[0].message


def test_b005_negative_count():
    found = only(run(edit("003", {20: "行政许可  | -1  | ||"})), "B005")
    assert [(f.row, f.column) for f in found] == [("licensing", "decisions")]
    assert "负数" in found[0].message


def test_b005_fraction_count():
    found = only(run(edit("003", {20: "行政许可  | 1.5  | ||"})), "B005")
    assert [(f.row, f.column) for f in found] == [("licensing", "decisions")]
    assert "整数" in found[0].message


def test_b005_signed_change_column_and_money_are_fine():
    text = edit("002", {61: "-3"}, {"36609万元": "36609.5万元"})  # 行政许可 本年增/减; 采购总金额
    report = parse(text)
    assert report.tables["proactive"].value("licensing", "change") == -3
    assert not only(check_report(report), "B005")


def test_b006_unverifiable_seed_003_and_fixed():
    found = only(run(edit("003")), "F015")
    # Its two short rows are null in every column (never filled from the left): no column's
    # balance (B001) or outcome sum (B003) can be verified, nor the two rows' totals (B002).
    columns = ["commercial", "legal_services", "natural_person", "nonprofit", "other_org", "research", "total"]
    assert sorted((f.figures["rule"], f.row or "", f.column or "") for f in found) == [
        *(("B001", "", c) for c in columns),
        ("B002", "carried_forward", "total"),
        ("B002", "withheld_internal", "total"),
        *(("B003", "total", c) for c in columns),
    ]
    assert all(f.severity == "info" for f in found)
    fixed = edit(
        "003",
        {40: "5.属于三类内部事务信息  | " + ZEROS7, 56: "四、结转下年度继续办理  | " + ZEROS7},
    )
    assert not only(run(fixed), "F015")


def test_b006_blank_is_never_an_imbalance():
    text = edit("003", {34: "三、本年度办理结果  | (一)予以公开  | " + cells(0, 0, 0, 0, 0, 0, "——")})
    findings = run(text)
    assert not codes(findings) & {"B002", "B003"}
    assert {f.figures["rule"] for f in only(findings, "F015")} >= {"B002", "B003"}


def test_b007_cumulative_below_annual():
    text = edit("002", {45: "3"})  # 规范性文件 对外公开总数量 31 → 3
    found = only(run(text), "B007")
    assert [(f.row, f.column) for f in found] == [("normative_documents", "total_published")]
    assert found[0].figures == {"published": 31, "total_published": 3}
    assert not only(run(edit("002")), "B007")


# --- T: time ---------------------------------------------------------------------------------


def test_t001_late_seed_002(seed_reports):
    found = only(check_report(seed_reports["002"]), "T001")
    assert len(found) == 1
    f = found[0]
    assert f.line == 2 and f.severity == "error"
    assert f.figures["published_on"].isoformat() == "2022-01-17"
    assert f.figures["deadline"].isoformat() == "2021-01-31"
    assert "2022-01-17" in f.message and "2021-01-31" in f.message


@pytest.mark.parametrize(
    ("agency", "signed", "late"),
    [
        ("临河区医疗保障局", "2024年1月31日", False),
        ("临河区医疗保障局", "2024年2月1日", True),
        ("巴彦淖尔市临河区人民政府", "2024年3月31日", False),
        ("巴彦淖尔市临河区人民政府", "2024年4月1日", True),
        ("巴彦淖尔市临河区人民政府办公室", "2024年2月1日", True),
    ],
)
def test_t001_deadline_depends_on_the_body(agency, signed, late):
    text = edit("003", {2: f"{agency}2023年认真落实政府信息公开工作。", 66: agency, 67: signed})
    report = parse(text)
    assert report.meta.agency == agency
    assert bool(only(check_report(report), "T001")) is late


def test_t001_grace_days():
    text = edit("003", {67: "2024年2月2日"})
    assert only(run(text), "T001")
    assert not only(check_report(parse(text), CheckConfig(options={"grace-days": 3})), "T001")


def test_t002_signed_before_year_end():
    found = only(run(edit("003", {67: "2023年12月19日"})), "T002")
    assert len(found) == 1 and found[0].figures["signed_on"].isoformat() == "2023-12-19"
    assert not only(run(edit("003")), "T002")


def test_t002_title_year_differs_from_statistics_period():
    text = edit(
        "001", replace_text={"统计期限自2021年1月1日起至2021年12月31日止": "统计期限自2020年1月1日起至2020年12月31日止"}
    )
    found = only(run(text), "T002")
    assert len(found) == 1
    assert found[0].figures["title_year"] == 2021 and found[0].line == 7
    assert not only(run(edit("001")), "T002")


def test_t003_published_before_signed():
    text = edit("002", replace_text={"发布日期:2022-01-17": "发布日期:2021-02-01"})
    found = only(run(text), "T003")
    assert len(found) == 1 and found[0].severity == "warning"
    assert not only(run(edit("002")), "T003")


def test_t004_no_dates(seed_reports):
    assert only(check_report(seed_reports["001"]), "T004")
    assert only(check_report(seed_reports["004"]), "T004")
    assert not only(check_report(seed_reports["003"]), "T004")


# --- N: narrative ----------------------------------------------------------------------------


def test_n001_text_count_differs_from_table():
    text = edit("003", replace_text={"共收到依申请公开0件": "共收到依申请公开5件"})
    found = only(run(text), "N001")
    assert len(found) == 1
    f = found[0]
    assert f.figures == {"quantity": "new", "text": 5, "table": 0}
    assert (f.section, f.line) == ("overview", 6)
    assert not only(run(edit("003")), "N001")


def test_n001_denial_of_review_against_table():
    text = edit("003", {61: "|".join(["1", "0", "0", "0", "1"] + ["0"] * 10)})
    found = only(run(text), "N001")
    assert [f.figures["quantity"] for f in found] == ["review"]
    assert found[0].figures["text"] == 0 and found[0].figures["table"] == 1


def test_n002_breakdown_seed_004_holds_and_25_fires():
    assert not only(run(edit("004")), "N002")
    text = edit("004", replace_text={"共公开政府信息29条": "共公开政府信息25条"})
    found = only(run(text), "N002")
    assert len(found) == 1
    f = found[0]
    assert f.figures["total"] == 25 and f.figures["parts"] == "23+4+2 = 29"
    assert (f.section, f.line) == ("overview", 10)
    assert "23+4+2 = 29" in f.message


def test_f016_number_out_of_range():
    huge = "1" * 30
    text = edit("003", {20: f"行政许可  | {huge}  | ||"})
    found = only(run(text), "F016")
    assert [(f.table, f.row, f.column, f.line) for f in found] == [("proactive", "licensing", "decisions", 20)]
    assert huge in found[0].message
    report = parse(text)
    assert report.tables["proactive"].rows["licensing"].values["decisions"].value is None
    # 28 digits are kept exactly, as a number; so are six decimals of a fee
    kept = edit("003", {20: f"行政许可  | {'9' * 28}  | ||"})
    assert not only(run(kept), "F016")
    assert parse(kept).tables["proactive"].rows["licensing"].values["decisions"].value == int("9" * 28)


def test_f017_replaced_bytes():
    data = edit("003").encode("utf-8")
    cut = data.index("总体情况".encode()) + 1  # inside a character: its bytes are no longer UTF-8
    broken = data[:cut] + b"\xff" + data[cut:]
    report = parse_bytes(broken, "case.txt")
    found = only(check_report(report, raise_errors=True), "F017")
    assert len(found) == 1 and found[0].severity == "warning" and found[0].figures["count"] >= 1
    assert report.meta.agency == "临河区医疗保障局"  # the rest of the report is read as usual
    assert not only(run(edit("003")), "F017")
