"""Every value and metadata field of every seed, asserted in full."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gongkai.formats import load_format

COLS7 = ("natural_person", "commercial", "research", "nonprofit", "legal_services", "other_org", "total")


def zeros(fmt: str, **overrides: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """All cells 0 (other_handling of a 2021 report absent → null), then the given overrides."""
    spec = load_format(fmt)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for tkey, table in spec.tables.items():
        out[tkey] = {}
        for rkey, row in table.rows.items():
            fill = None if row.optional else 0
            out[tkey][rkey] = dict.fromkeys(row.columns, fill)
    for path, value in overrides.items():
        table, row, column = path.split("__")
        out[table][row][column] = value
    return out


EXPECTED_TABLES = {
    "000": zeros("2019", proactive__other_services__change=1),
    "001": zeros("2021"),
    "002": zeros(
        "2019",
        proactive__normative_documents__made=31,
        proactive__normative_documents__published=31,
        proactive__normative_documents__total_published=31,
        proactive__other_services__change=None,
        proactive__other_services__decisions=None,
        proactive__procurement__projects=10,
        proactive__procurement__amount=36609,
    ),
    # 003: two rows have six numbers for seven columns; the missing seventh stays null.
    # Two rows of six zeros for seven columns: which cell is blank is not written, so none of the
    # seven is filled from the left (issue 10); the readings are listed under `ambiguous`.
    "003": zeros(
        "2021",
        **{f"requests__{row}__{col}": None for row in ("withheld_internal", "carried_forward") for col in COLS7},
    ),
    # 004: table 四 has fourteen numbers for fifteen cells.
    # Table 四 has 14 zeros for 15 cells: which one is missing is not written, so none is filled
    # from the left (issue 10); every cell is null, its zeros kept as the rows' cells (F005).
    "004": zeros(
        "2021",
        **{
            f"appeals__{row}__{col}": None
            for row in ("review", "litigation_direct", "litigation_after_review")
            for col in ("upheld", "corrected", "other", "pending", "total")
        },
    ),
}

EXPECTED_META = {
    "000": {
        "agency": "武汉经济技术开发区(汉南区)医疗保障局",
        "year": 2020,
        "format": "2019",
        "signed_on": "2021-01-07",
        "published_on": None,
        "region": {"province": "湖北省", "city": "武汉市", "county": "汉南区", "code": "420113"},
        "title": None,
    },
    "001": {
        "agency": "新乡市卫滨区医疗保障局",
        "year": 2021,
        "format": "2021",
        "signed_on": None,
        "published_on": None,
        "region": {"province": "河南省", "city": "新乡市", "county": "卫滨区", "code": "410703"},
        "title": "新乡市卫滨区医疗保障局2021年政府信息公开工作年度报告",
    },
    "002": {
        "agency": "西藏自治区医疗保障局",
        "year": 2020,
        "format": "2019",
        "signed_on": "2021-02-21",
        "published_on": "2022-01-17",
        "region": {"province": "西藏自治区", "city": None, "county": None, "code": "540000"},
        "title": "西藏自治区医疗保障局2020年 政府信息公开工作年度报告",
    },
    "003": {
        "agency": "临河区医疗保障局",
        "year": 2023,
        "format": "2021",
        "signed_on": "2024-01-19",
        "published_on": None,
        "region": {"province": "内蒙古自治区", "city": "巴彦淖尔市", "county": "临河区", "code": "150802"},
        "title": None,
    },
    "004": {
        "agency": "西塞山区医疗保障局",
        "year": 2023,
        "format": "2021",
        "signed_on": None,
        "published_on": None,
        "region": {"province": "湖北省", "city": "黄石市", "county": "西塞山区", "code": "420203"},
        "title": "西塞山区医疗保障局2023年政府信息公开工作年度报告",
    },
}

SECTION_TITLES = {
    "000": [
        "一、总体情况",
        "二、行政机关主动公开政府信息情况",
        "三、行政机关收到和处理政府信息公开申请情况",
        "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
        "五、政府信息公开工作存在的问题及改进情况",
        "六、其他需要报告的事项",
    ],
    "001": [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ],
}
SECTION_TITLES["002"] = SECTION_TITLES["001"]
SECTION_TITLES["003"] = SECTION_TITLES["001"]
SECTION_TITLES["004"] = SECTION_TITLES["001"]

# (table, row, cells found) for every row whose cell count differs from the format's columns.
EXPECTED_IRREGULAR = {
    "000": [],
    "001": [
        ("requests", key, 11)
        for key in [
            "withheld_third_party",
            "withheld_internal",
            "withheld_process",
            "withheld_enforcement",
            "withheld_inquiry",
            "unable_not_held",
            "unable_needs_creation",
            "unable_unclear",
            "declined_petition",
            "declined_duplicate",
            "declined_publication",
            "declined_excessive",
            "declined_confirmation",
            "other_no_correction",
            "other_unpaid_fee",
            "other_other",
            "total",
            "carried_forward",
        ]
    ],
    "002": [],
    "003": [("requests", "withheld_internal", 6), ("requests", "carried_forward", 6)],
    "004": [("appeals", "litigation_after_review", 4)],
}


@pytest.mark.parametrize("seed", sorted(EXPECTED_TABLES))
def test_every_table_value(seed_reports, seed):
    assert seed_reports[seed].to_dict()["tables"] == EXPECTED_TABLES[seed]


@pytest.mark.parametrize("seed", sorted(EXPECTED_META))
def test_meta(seed_reports, seed):
    meta = seed_reports[seed].to_dict()["meta"]
    for key, value in EXPECTED_META[seed].items():
        assert meta[key] == value, key


@pytest.mark.parametrize("seed", sorted(SECTION_TITLES))
def test_sections_in_order(seed_reports, seed):
    sections = seed_reports[seed].to_dict()["sections"]
    assert list(sections) == ["overview", "proactive", "requests", "appeals", "problems", "other"]
    assert [s["title"] for s in sections.values()] == SECTION_TITLES[seed]


@pytest.mark.parametrize("seed", sorted(EXPECTED_IRREGULAR))
def test_irregular_rows_kept_as_found(seed_reports, seed):
    irregular = [(r["table"], r["row"], r["cells"]) for r in seed_reports[seed].to_dict()["irregular_rows"]]
    assert irregular == EXPECTED_IRREGULAR[seed]


def test_001_overlong_rows_keep_all_eleven_numbers(seed_reports):
    row = seed_reports["001"].tables["requests"].rows["withheld_third_party"]
    assert [c.raw for c in row.cells] == ["0"] * 11
    assert row.irregular == "too_many"
    assert row.loc.line == 59


def test_002_dash_is_null_not_zero(seed_reports):
    value = seed_reports["002"].tables["proactive"].rows["other_services"].values["change"]
    assert value.value is None
    assert value.raw == "——"
    assert value.status == "blank"


def test_002_procurement_amount_in_wan_yuan(seed_reports):
    value = seed_reports["002"].tables["proactive"].rows["procurement"].values["amount"]
    assert value.value == 36609
    assert value.raw == "36609万元"
    assert value.unit == "万元"
    assert value.loc.line is not None
    assert seed_reports["002"].document.lines[value.loc.line - 1] == "36609万元"


def test_002_dates(seed_reports):
    meta = seed_reports["002"].meta
    assert meta.published_on == dt.date(2022, 1, 17)
    assert meta.signed_on == dt.date(2021, 2, 21)


def test_000_agency_added_row_kept_as_extra(seed_reports):
    extra = seed_reports["000"].to_dict()["extra_rows"]["proactive"]
    assert extra == [
        {
            "label": "其他主动公开文件",
            "after": "normative_documents",
            "values": {"made": 1, "published": 1, "total_published": 1},
            "raw": ["1", "1", "1"],
            "loc": {"line": 18, "table": 0, "row": 13, "cell": 0},
        }
    ]


def test_000_procurement_amount_unit_unknown(seed_reports):
    value = seed_reports["000"].tables["proactive"].rows["procurement"].values["amount"]
    assert value.value == 0
    assert value.status == "unit_unknown"


def test_2021_fees_take_unit_from_head(seed_reports):
    value = seed_reports["001"].tables["proactive"].rows["fees"].values["amount"]
    assert value.value == 0 and value.unit == "万元"


def test_every_value_keeps_its_source_line(seed_reports):
    for name, report in seed_reports.items():
        lines = report.document.lines
        for table in report.tables.values():
            for row in table.rows.values():
                for value in row.cells:
                    assert value.loc.line is not None, (name, row.key)
                    assert value.raw == "" or value.raw in lines[value.loc.line - 1], (name, row.key)


def test_site_furniture_belongs_to_no_section(seed_reports):
    text = "\n".join(s.text for s in seed_reports["000"].sections.values())
    for marker in ("主办单位", "备案证编号", "网站标识码", "承办单位"):
        assert marker not in text
    assert "分享到" not in "\n".join(s.text for s in seed_reports["002"].sections.values())


def test_signature_is_not_section_text(seed_reports):
    assert seed_reports["003"].sections["other"].text == "本年度本机关未收取政府信息公开处理费,无其他需要报告的事项。"
    assert seed_reports["002"].sections["other"].text == "无。"


def test_table_text_is_not_section_text(seed_reports):
    assert seed_reports["001"].sections["proactive"].text == ""
    assert seed_reports["000"].sections["proactive"].text == (
        "2020年我局在武汉经济技术开发区(汉南区)政务网主动公开其他文件1件,其他对外服务事项1条。"
    )
    assert seed_reports["004"].sections["requests"].text == "本年度没有收到和处理政府信息公开申请。"
