"""Variants of the real layouts: busy agencies, split rows, stray spaces, blank columns, the
2019 其他处理 row in a 2021 report, agency-added rows, traditional characters."""

from __future__ import annotations

import random
from decimal import Decimal

import opencc
import pytest

import textgen
from gongkai.pipeline import parse_bytes

LAYOUTS = ["pipe", "tab", "lines", "markdown"]


def parse_text(text: str):
    return parse_bytes(text.encode("utf-8"), "variant.txt")


def diff(got: dict, expected: dict) -> list:
    return [
        (t, r, c, got[t][r][c], expected[t][r][c])
        for t in expected
        for r in expected[t]
        for c in expected[t][r]
        if _exact(got[t][r][c]) != _exact(expected[t][r][c])
    ]


def _exact(value: object) -> object:
    """Money comes out as an exact Decimal; the generator writes floats such as 324.63."""
    return Decimal(str(value)) if isinstance(value, float | Decimal) else value


@pytest.mark.parametrize("fmt", ["2019", "2021"])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("seed", range(3))
def test_busy_agency_with_thousands_separators(fmt, layout, seed):
    values = textgen.balanced_values(fmt, random.Random(seed), busy=True)
    text = textgen.render(values, fmt, layout, thousands=True)
    assert "," in text  # at least one 4-digit count written as 1,234
    report = parse_text(text)
    assert report.meta.format == fmt
    assert diff(report.to_dict()["tables"], textgen.expected_tables(values, fmt)) == []
    assert report.to_dict()["irregular_rows"] == []


def busy_003_like() -> tuple[dict, str]:
    values = textgen.balanced_values("2021", random.Random(7), busy=True)
    return values, textgen.render(values, "2021", "pipe")


def test_row_split_across_two_lines():
    values, text = busy_003_like()
    lines = text.split("\n")
    i = next(n for n, line in enumerate(lines) if line.startswith("一、本年新收"))
    cells = lines[i].split("  | ")
    lines[i : i + 1] = ["  | ".join(cells[:4]) + "  |", "  | ".join(cells[4:])]
    report = parse_text("\n".join(lines))
    assert diff(report.to_dict()["tables"], textgen.expected_tables(values, "2021")) == []


def test_label_split_across_two_lines():
    values, text = busy_003_like()
    lines = text.split("\n")
    i = next(n for n, line in enumerate(lines) if line.startswith("（二）部分公开"))
    label, rest = lines[i].split("  | ", 1)
    lines[i : i + 1] = [label[:12], label[12:] + "  | " + rest]
    report = parse_text("\n".join(lines))
    assert diff(report.to_dict()["tables"], textgen.expected_tables(values, "2021")) == []
    assert report.tables["requests"].rows["partly_granted"].label.startswith("（二）部分公开")


def test_labels_with_stray_spaces():
    values, text = busy_003_like()
    for label, spaced in [
        ("行政规范性文件", "行政 规范性 文件"),
        ("一、本年新收政府信息公开申请数量", "一、本年新收 政府信息 公开申请数量"),
        ("2.重复申请", "2. 重复 申请"),
        ("4.保护第三方合法权益", "4.保护 第三方 合法权益"),
    ]:
        assert label in text
        text = text.replace(label, spaced)
    report = parse_text(text)
    assert diff(report.to_dict()["tables"], textgen.expected_tables(values, "2021")) == []


@pytest.mark.parametrize("layout", ["pipe", "tab", "markdown"])
def test_blank_total_column(layout):
    values = textgen.balanced_values("2021", random.Random(3), busy=True)
    for row in values["requests"].values():
        row["total"] = None
    report = parse_text(textgen.render(values, "2021", layout))
    expected = textgen.expected_tables(values, "2021")
    assert diff(report.to_dict()["tables"], expected) == []
    for key, row in report.tables["requests"].rows.items():
        if row.found:
            assert row.values["total"].value is None, key


def test_single_other_handling_row_in_a_2021_report():
    """洪泽区 2023/2024 keep the 2019 single （六）其他处理 row in the 2021 format."""
    values = textgen.balanced_values("2019", random.Random(5), busy=True)
    text_2019 = textgen.render(values, "2019", "pipe")
    text_2021 = textgen.render(textgen.balanced_values("2021", random.Random(5)), "2021", "pipe")
    # 2021 table 二 with the 2019 table 三 (single 其他处理 row)
    pro_2021 = text_2021[text_2021.index("二、主动公开") : text_2021.index("三、收到和处理")]
    text = text_2019[: text_2019.index("二、主动公开")] + pro_2021 + text_2019[text_2019.index("三、收到和处理") :]
    report = parse_text(text)
    assert report.meta.format == "2021"
    requests = report.tables["requests"]
    assert requests.rows["other_handling"].found
    assert {c: v.value for c, v in requests.rows["other_handling"].values.items()} == values["requests"][
        "other_handling"
    ]
    for sub in ("other_no_correction", "other_unpaid_fee", "other_other"):
        assert not requests.rows[sub].found
        assert all(v.value is None for v in requests.rows[sub].values.values())
    got = report.to_dict()["tables"]["requests"]
    for key, row in values["requests"].items():
        assert got[key] == row, key


def test_2019_single_other_handling_row():
    values = textgen.balanced_values("2019", random.Random(11), busy=True)
    report = parse_text(textgen.render(values, "2019", "tab"))
    assert report.meta.format == "2019"
    assert report.to_dict()["tables"]["requests"]["other_handling"] == values["requests"]["other_handling"]


def test_agency_added_row_in_table_two():
    values = textgen.balanced_values("2021", random.Random(2), busy=True)
    values["_extra_proactive"] = {"normative_documents": [("其他主动公开文件", ["5", "0", "12"])]}
    report = parse_text(textgen.render(values, "2021", "pipe"))
    assert diff(report.to_dict()["tables"], textgen.expected_tables(values, "2021")) == []
    extra = report.tables["proactive"].extra_rows
    assert [(r.label, r.after, {c: v.value for c, v in r.values.items()}) for r in extra] == [
        ("其他主动公开文件", "normative_documents", {"issued": 5, "repealed": 0, "in_force": 12})
    ]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_traditional_characters(layout):
    values = textgen.balanced_values("2021", random.Random(9), busy=True)
    text = textgen.render(values, "2021", layout, agency="臨河區醫療保障局")
    traditional = opencc.OpenCC("s2t").convert(text)
    assert "處理" in traditional and "申請" in traditional
    report = parse_text(traditional)
    assert diff(report.to_dict()["tables"], textgen.expected_tables(values, "2021")) == []
    assert report.meta.region is not None and report.meta.region.code == "150802"


def test_traditional_seed(seed_paths):
    text = seed_paths["002"].read_text(encoding="utf-8")
    traditional = opencc.OpenCC("s2t").convert(text)
    report = parse_text(traditional)
    assert report.to_dict()["tables"]["proactive"]["procurement"] == {"projects": 10, "amount": 36609}
    assert report.meta.format == "2019"


def test_2022_report_with_2019_columns_is_2019_format():
    values = textgen.balanced_values("2019", random.Random(4))
    report = parse_text(textgen.render(values, "2019", "pipe", year=2022, signed="2023年1月20日"))
    assert report.meta.year == 2022
    assert report.meta.format == "2019"
    assert report.meta.format_evidence == "table_headers"


def test_gbk_encoded_text(seed_paths):
    text = seed_paths["003"].read_text(encoding="utf-8")
    report = parse_bytes(text.encode("gb18030"), "gbk.txt")
    assert report.source.encoding == "gb18030"
    assert report.meta.agency == "临河区医疗保障局"


def test_full_width_digits_and_kangxi_radicals():
    values, text = busy_003_like()
    wide = text.translate(str.maketrans("0123456789", "０１２３４５６７８９")).replace("一、", "⼀、")
    report = parse_text(wide)
    assert diff(report.to_dict()["tables"], textgen.expected_tables(values, "2021")) == []


def test_money_in_yuan_is_converted_to_wan_yuan():
    values = textgen.balanced_values("2019", random.Random(1))
    values["proactive"]["procurement"]["amount"] = "251000元"
    report = parse_text(textgen.render(values, "2019", "pipe"))
    amount = report.tables["proactive"].rows["procurement"].values["amount"]
    assert float(amount.value) == 25.1 and amount.unit == "万元" and amount.raw == "251000元"


def test_percentage_in_count_cell_is_not_a_number():
    values = textgen.balanced_values("2021", random.Random(1))
    values["proactive"]["licensing"]["decisions"] = "5%"
    report = parse_text(textgen.render(values, "2021", "pipe"))
    value = report.tables["proactive"].rows["licensing"].values["decisions"]
    assert value.value is None and value.status == "not_a_number" and value.raw == "5%"


def test_misprinted_label_is_read_by_its_place_in_the_group():
    values, text = busy_003_like()
    assert "2.其他法律行政法规禁止公开" in text
    report = parse_text(text.replace("2.其他法律行政法规禁止公开", "2.其他法律行政止公开"))
    assert diff(report.to_dict()["tables"], textgen.expected_tables(values, "2021")) == []
    assert report.tables["requests"].extra_rows == []


def test_unknown_row_stays_an_extra_row():
    _, text = busy_003_like()
    added = "7.属于行政执法案卷  | 1  | 0  | 0  | 0  | 0  | 0  | 1  | ||\n8.其他情形"
    text = text.replace("7.属于行政执法案卷", added, 1)
    report = parse_text(text)
    extra = report.tables["requests"].extra_rows
    assert [(r.label, r.after) for r in extra] == [("8.其他情形", "withheld_enforcement")]


def test_table_four_of_only_dashes_is_a_table_without_numbers():
    values, _ = busy_003_like()
    for group in values["appeals"].values():
        for column in group:
            group[column] = "——"
    report = parse_text(textgen.render(values, "2021", "pipe"))
    appeals = report.tables["appeals"]
    assert appeals.found
    assert all(v.value is None and v.status == "blank" for r in appeals.rows.values() for v in r.values.values())
