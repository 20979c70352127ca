"""Reading counts from the text: only claims that name the quantity unambiguously."""

from __future__ import annotations

import pytest

from gongkai.rules.narrative.claims import _clause_claims, cn_int


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        ("本年度共收到政府信息公开申请12件", [("new", 12)]),
        ("共收到依申请公开0件", [("new", 0)]),
        ("新收政府信息公开申请数量为3件", [("new", 3)]),
        ("收到政府信息公开申请两件", [("new", 2)]),
        ("共收到12件政府信息公开申请", [("new", 12)]),
        ("上年结转2件", [("carried_over", 2)]),
        ("上年结转政府信息公开申请2件", [("carried_over", 2)]),
        ("结转下年度办理1件", [("carried_forward", 1)]),
        ("1件结转下年度继续办理", [("carried_forward", 1)]),
        ("已全部办结12件", [("handled", 12)]),
        ("被申请行政复议3件", [("review", 3)]),
        ("发生行政复议案件3起", [("review", 3)]),
        ("行政诉讼2件", [("litigation", 2)]),
        ("我局未收到依申请公开事项", [("new", 0)]),
        ("本年度没有收到和处理政府信息公开申请", [("new", 0)]),
        ("未出现因政府信息公开工作被申请行政复议的情况", [("review", 0)]),
        ("本年度无公开行政复议、行政诉讼", [("review", 0), ("litigation", 0)]),
        ("因政府信息公开工作被申请行政复议1件、提起行政诉讼2件", [("review", 1), ("litigation", 2)]),
        ("本年度收到申请12件、办结10件", [("new", 12), ("handled", 10)]),
    ],
)
def test_claims_read(clause, expected):
    assert _clause_claims(clause) == expected


@pytest.mark.parametrize(
    "clause",
    [
        "其中自然人申请10件",  # a subset
        "通过网络平台收到申请5件",  # a channel: a subset
        "收到政府信息公开申请12件同比增长20%",  # a comparison
        "收到申请较上年增加3件",
        "收到政府信息公开申请90余件",  # an approximation
        "收到政府信息公开申请约10件",
        "行政复议结果维持1件",  # a part of table 四, not the total
        "行政复议、行政诉讼各0件",  # two quantities
        "行政复议1件、行政复议2件",  # the same quantity twice
        "收到行政复议申请1件和行政诉讼2件",
        "未经复议直接起诉的行政诉讼1件",
        "未出现行政复议被纠正的情况",  # a denial of a part, not of the total
        "本机关不掌握相关政府信息3件",
        "主动公开政府信息23条",  # not a request count
        "收到群众来信12件",
        "累计收到申请120件",
    ],
)
def test_ambiguous_or_unrelated_clauses_are_skipped(clause):
    assert _clause_claims(clause) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [("12", 12), ("1,234", 1234), ("十二", 12), ("二十", 20), ("一百零五", 105), ("两", 2), ("〇", 0), ("abc", None)],
)
def test_cn_int(text, value):
    assert cn_int(text) == value


def test_sentences_about_another_year_are_skipped(seed_reports):
    from dataclasses import replace

    from gongkai.rules.base import Context
    from gongkai.rules.narrative.claims import claims

    report = seed_reports["003"]
    overview = report.sections["overview"]
    text = overview.text.replace("2023年度我单位共收到依申请公开0件", "2022年度我单位共收到依申请公开7件")
    sections = {**report.sections, "overview": replace(overview, text=text)}
    other = replace(report, sections=sections)
    assert not [c for c in claims(Context.for_report(other)) if c.quantity == "new" and c.value == 7]
