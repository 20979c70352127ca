"""Two real PDFs: 淮安市洪泽区人民政府's reports for 2023 and 2024 (WPS → PDF, white boxes behind
every text line, table 二 and 三 running over page breaks without their heads, table borders left
out at the breaks, the 2019 single （六）其他处理 row in a 2021 table, and a typo in the source:
``2.其他法律行政止公开`` for 2.其他法律行政法规禁止公开).

The values below were read off the rendered pages by eye.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from gongkai.document import Paragraph, Table
from gongkai.pipeline import parse_bytes
from gongkai.readers.pdf import read

REAL = Path(__file__).resolve().parent / "fixtures" / "real"
ORGS = ("commercial", "research", "nonprofit", "legal_services", "other_org")


def _person_only(n: int) -> dict:
    """A row where only natural persons applied: n, five zeros, total n."""
    return {"natural_person": n, **dict.fromkeys(ORGS, 0), "total": n}


def _requests(person: dict[str, int]) -> dict:
    rows = [
        "new",
        "carried_over",
        "granted",
        "partly_granted",
        "withheld_state_secret",
        "withheld_law",
        "withheld_security",
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
        "other_handling",
    ]
    out = {r: _person_only(person.get(r, 0)) for r in rows}
    for r in ("other_no_correction", "other_unpaid_fee", "other_other"):
        out[r] = {"natural_person": None, **dict.fromkeys(ORGS, None), "total": None}
    out["total"] = _person_only(person["total"])
    out["carried_forward"] = _person_only(person.get("carried_forward", 0))
    return out


def _appeals(values: list[int]) -> dict:
    cols = ("upheld", "corrected", "other", "pending", "total")
    groups = ("review", "litigation_direct", "litigation_after_review")
    return {g: dict(zip(cols, values[5 * i : 5 * i + 5], strict=True)) for i, g in enumerate(groups)}


EXPECTED = {
    "2023": {
        "meta": {"agency": "洪泽区人民政府", "year": 2023, "format": "2021", "signed_on": None},
        "proactive": {
            "rules": {"issued": 0, "repealed": 0, "in_force": 0},
            "normative_documents": {"issued": 0, "repealed": 5, "in_force": 5},
            "licensing": {"decisions": 550},
            "penalties": {"decisions": 4119},
            "coercion": {"decisions": 195},
            "fees": {"amount": Decimal("7730.28")},
        },
        "requests": _requests(
            {
                "new": 21,
                "partly_granted": 4,
                "withheld_state_secret": 1,
                "withheld_process": 1,
                "withheld_enforcement": 1,
                "unable_not_held": 10,
                "unable_needs_creation": 3,
                "declined_petition": 1,
                "total": 21,
            }
        ),
        # As printed: 复议 维持 10, 纠正 1, 总计 0; 复议后起诉 维持 5, 总计 0 (the report's own sums are off).
        "appeals": _appeals([10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0]),
    },
    "2024": {
        "meta": {"agency": "淮安市洪泽区人民政府", "year": 2024, "format": "2021", "signed_on": None},
        "proactive": {
            "rules": {"issued": 0, "repealed": 0, "in_force": 0},
            "normative_documents": {"issued": 3, "repealed": 0, "in_force": 8},
            "licensing": {"decisions": 9487},
            "penalties": {"decisions": 2776},
            "coercion": {"decisions": 84},
            "fees": {"amount": 7545},
        },
        "requests": _requests(
            {
                "new": 95,
                "granted": 50,
                "partly_granted": 9,
                "withheld_security": 1,
                "withheld_process": 1,
                "withheld_enforcement": 1,
                "unable_not_held": 31,
                "unable_needs_creation": 1,
                "declined_petition": 1,
                "total": 95,
            }
        ),
        "appeals": _appeals([1, 1, 0, 0, 2, 1, 0, 0, 0, 1, 2, 0, 1, 0, 3]),
    },
}


@pytest.fixture(scope="module", params=["2023", "2024"])
def real(request):
    year = request.param
    data = (REAL / f"hongze-{year}.pdf").read_bytes()
    return year, data, parse_bytes(data, f"hongze-{year}.pdf")


def test_meta(real):
    year, _, report = real
    m = report.meta
    assert {"agency": m.agency, "year": m.year, "format": m.format, "signed_on": m.signed_on} == EXPECTED[year]["meta"]
    assert set(report.sections) == {"overview", "proactive", "requests", "appeals", "problems", "other"}
    assert report.meta.region is not None and report.meta.region.code == "320813"


def test_table_values(real):
    """Every value of tables 二, 三 and 四, including the misprinted 2.其他法律行政止公开 row (matched
    by its place in the group), a label cell split in two, and a head cell split in two."""
    year, _, report = real
    tables = report.to_dict()["tables"]
    for tkey in ("proactive", "requests", "appeals"):
        for row, values in EXPECTED[year][tkey].items():
            assert tables[tkey][row] == values, (tkey, row)
    assert report.tables["requests"].extra_rows == []
    assert report.tables["requests"].rows["withheld_law"].label == "2.其他法律行政止公开"


def test_carried_over_equals_last_years_carried_forward():
    reports = {y: parse_bytes((REAL / f"hongze-{y}.pdf").read_bytes()) for y in ("2023", "2024")}
    assert reports["2024"].tables["requests"].rows["carried_over"].values
    forward = reports["2023"].to_dict()["tables"]["requests"]["carried_forward"]
    over = reports["2024"].to_dict()["tables"]["requests"]["carried_over"]
    assert over == forward == _person_only(0)


# ------------------------------------------------------------------------------------------------
# What the reader itself gives: exact grids, whatever the tables stage makes of them


def _texts(table: Table) -> list[list[str | None]]:
    return [[None if c.merged else c.text for c in row] for row in table.rows]


def test_reader_grids_2023():
    doc = read((REAL / "hongze-2023.pdf").read_bytes())
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert [(t.loc.page, len(t.rows), len(t.rows[0])) for t in tables] == [
        (2, 8, 4),
        (3, 6, 2),
        (3, 17, 10),
        (4, 9, 10),
        (4, 4, 15),
    ]
    t2a, t2b, t3a, t3b, t4 = tables
    assert _texts(t2a)[:4] == [
        ["第二十条第（一）项", None, None, None],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "0", "0", "0"],
        ["行政规范性文件", "0", "5", "5"],
    ]
    # the continuation of table 二 starts with its repeated column head, read although its top
    # border is not drawn
    assert _texts(t2b)[0] == ["信息内容", "本年处理决定数量"]
    assert _texts(t2b)[-1] == ["行政事业性收费", "7730.28"]
    rows = _texts(t3a)
    assert rows[5][:2] == ["三、本年度办理结果", "（一）予以公开"]  # vertical text joined
    assert rows[6][1] == "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    assert rows[8][2] == "2.其他法律行政止公开"  # as printed
    assert rows[-1] == [None, None, "2.没有现成信息需要另行制作", "3", "0", "0", "0", "0", "0", "3"]
    # after the page break: the cut cells are real, empty cells; no head repeated
    assert _texts(t3b)[0] == ["", "", "3.补正后申请内容仍不明确", "0", "0", "0", "0", "0", "0", "0"]
    assert _texts(t3b)[4][2] == "4.无正当理由大量反复申请"  # 反复 申请: the stray space is joined
    assert _texts(t4)[-1] == ["10", "1", "0", "0", "0", "0", "0", "0", "0", "0", "5", "0", "0", "0", "0"]
    # nothing but the tables between the parts of a table running over a page break
    i = doc.blocks.index(t3a)
    assert doc.blocks[i + 1] is t3b
    assert all(c.loc.page == 4 for row in t3b.rows for c in row)


def test_reader_text_2024():
    doc = read((REAL / "hongze-2024.pdf").read_bytes())
    paras = [b for b in doc.blocks if isinstance(b, Paragraph)]
    # the two title lines set in large type are one paragraph
    assert paras[0].text == "淮安市洪泽区人民政府 2024 年政府信息公开工作年度报告"
    assert paras[0].loc.page == 1
    # no page footers (- 1 -) and the paragraphs that run over a page break are joined
    assert not any(p.text.strip("- ").isdigit() for p in paras)
    assert any("邮编：223100" in p.text for p in paras)
    headings = [p.text for p in paras if p.text[:2] in ("一、", "二、", "三、", "四、", "五、", "六、")]
    assert headings == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert _texts(tables[-1])[-1] == ["1", "1", "0", "0", "2", "1", "0", "0", "0", "1", "2", "0", "1", "0", "3"]
    assert _texts(tables[-1])[0][5] == ""  # a drawn, empty head cell: the 行政诉讼 head is split in two
