"""Real-world text the first build refused: a whole report on one line after a crawler's header,
radicals from PDF text layers, UTF-16 pages without a BOM. Built from the seeds' own text."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from conftest import SEEDS
from gongkai.layout.unfold import unfold_line
from gongkai.pipeline import parse_bytes
from gongkai.readers.detect import detect_kind, utf16_without_bom
from gongkai.rules import check_report

HEADER = (
    "标题: 临河区医疗保障局2023年政府信息公开工作年度报告\n"
    "发布时间: 2024-01-31 10:52\n"
    "文号: \n"
    "发布机构: \n"
    "栏目: 政府信息公开年报\n"
    "原文链接: https://www.example.gov.cn/zwgk/ndbg/202401/t20240131_1.htm\n"
    "本地目录: zwgk/ndbg/1_临河区\n"
    "==================== 正文 ====================\n"
)


def seed_text(seed: str) -> str:
    return Path(SEEDS[seed]).read_text(encoding="utf-8")


def one_line(text: str) -> str:
    """What the crawlers did: the page's text on one line, cells run together."""
    body = text.split("\n")
    joined = "".join(re.sub(r"\s*\|\s*", " ", line).strip() for line in body)
    return joined


def test_one_line_report_reads_like_its_lines() -> None:
    lines = parse_bytes(seed_text("003").encode(), "003.txt")
    flat = parse_bytes((HEADER + one_line(seed_text("003"))).encode(), "flat.txt")
    assert flat.meta.agency == lines.meta.agency == "临河区医疗保障局"
    assert flat.meta.year == 2023
    assert str(flat.meta.published_on) == "2024-01-31"
    assert flat.source.url == "https://www.example.gov.cn/zwgk/ndbg/202401/t20240131_1.htm"
    assert set(flat.sections) == set(lines.sections)
    same = unsettled = 0
    for key in ("requests", "appeals"):
        want = lines.to_dict()["tables"][key]
        got = flat.to_dict()["tables"][key]
        for row, values in want.items():
            for column, value in values.items():
                if value is not None and lines.tables[key].rows[row].found:
                    # never a different number: the same, or null where the run could not be cut
                    assert got[row][column] in (value, None), (key, row, column)
                    same += got[row][column] == value
                    unsettled += got[row][column] is None
    assert same >= 150 and unsettled <= 10, (same, unsettled)


def test_unfold_keeps_every_character_in_order() -> None:
    line = one_line(seed_text("003"))
    pieces = unfold_line(line)
    assert "".join(pieces) == line
    assert len(pieces) > 30
    assert any(p.startswith("一、本年新收政府信息公开申请数量") for p in pieces)
    assert any(p.startswith("四、政府信息公开行政复议") for p in pieces)


def test_crawler_header_is_not_the_title_or_preamble() -> None:
    report = parse_bytes((HEADER + seed_text("003")).encode(), "h.txt")
    assert report.meta.agency == "临河区医疗保障局"
    assert not any("原文链接" in s.text for s in report.sections.values())


def test_radicals_folded_everywhere() -> None:
    text = seed_text("003").replace("临河区", "临河区").replace("人民", "⼈⺠")
    report = parse_bytes(text.encode(), "r.txt")
    assert report.meta.agency == "临河区医疗保障局"
    assert "⺠" not in report.sections["overview"].text


def test_utf16_html_without_bom() -> None:
    body = "".join(f"<p>{line}</p>" for line in seed_text("003").split("\n"))
    data = f"<html><body>{body}</body></html>".encode("utf-16-le")
    assert utf16_without_bom(data[:4096]) == "utf-16-le"
    assert detect_kind(data) == "html"
    assert parse_bytes(data, "u16.html").meta.agency == "临河区医疗保障局"
    assert utf16_without_bom(bytes(range(256)) * 8) is None


def test_pages_without_a_title_take_the_agency_from_the_signature_or_say_none() -> None:
    text = seed_text("003")
    opening = "本报告根据《中华人民共和国政府信息公开条例》编制。"
    body = text.replace("临河区医疗保障局2023年为深入推进", "2023年为深入推进")
    # one line, no title, no header: the closing signature names the agency
    flat = parse_bytes((opening + one_line(body)).encode(), "no-title.txt")
    assert flat.meta.agency == "临河区医疗保障局"
    assert str(flat.meta.signed_on) == "2024-01-19"
    # …and without the signature there is nothing to go by: no agency (F011), never a fragment
    unsigned = opening + one_line(body.replace("临河区医疗保障局\n2024年1月19日", ""))
    assert parse_bytes(unsigned.encode(), "unsigned.txt").meta.agency is None


def test_html_page_meta_gives_address_and_date() -> None:
    body = "".join(f"<p>{line}</p>" for line in seed_text("003").split("\n"))
    head = (
        '<meta name="ArticleTitle" content="临河区医疗保障局2023年政府信息公开工作年度报告"/>'
        '<meta name="PubDate" content="2024-01-27 09:00"/>'
        '<meta name="Url" content="https://www.example.gov.cn/zfxxgknb/t20240127_1.htm"/>'
    )
    report = parse_bytes(f"<html><head>{head}</head><body>{body}</body></html>".encode(), "p.html")
    assert str(report.meta.published_on) == "2024-01-27"
    assert report.source.url == "https://www.example.gov.cn/zfxxgknb/t20240127_1.htm"


def test_headings_without_their_comma_or_shifted_by_an_added_section() -> None:
    text = seed_text("003")
    dropped = text.replace("一、总体情况", "一总体情况", 1)
    assert set(parse_bytes(dropped.encode(), "a.txt").sections) >= {"overview", "other"}
    # a report that adds a section of its own numbers the later ones one higher
    shifted = text.replace(
        "五、存在的主要问题及改进情况", "五、政务公开工作主要任务落实情况\n本年度无。\n六、存在的主要问题及改进情况"
    )
    shifted = shifted.replace("六、其他需要报告的事项", "七、其他需要报告的事项")
    sections = parse_bytes(shifted.encode(), "b.txt").sections
    assert {"problems", "other"} <= set(sections)
    assert sections["other"].title == "七、其他需要报告的事项"
    # …and so does the same report on one line
    flat = parse_bytes(one_line(shifted).encode(), "c.txt")
    assert {"overview", "proactive", "requests", "appeals", "problems", "other"} <= set(flat.sections)


def test_html_nested_past_the_parser_limit_is_read_as_text() -> None:
    body = "".join(f"<p>{line}</p>" for line in seed_text("003").split("\n"))
    deep = f"<html><body>{'<div>' * 20000}{body}{'</div>' * 20000}</body></html>"
    report = parse_bytes(deep.encode(), "deep.html")
    lines = parse_bytes(seed_text("003").encode(), "003.txt")
    assert report.meta.agency == "临河区医疗保障局"
    assert report.to_dict()["tables"]["requests"] == lines.to_dict()["tables"]["requests"]
    assert any("嵌套过深" in note for note in report.notes)


CORPUS = Path(__file__).resolve().parent / "corpus"


def test_the_issues_run_together_rows_on_a_real_one_line_page() -> None:
    """The rows issue 10 quotes, put into a real crawled page (平潭 财政金融局 2023, whole report on
    one line): each read as a person would, or left null with a finding — never guessed."""
    text = (CORPUS / "files/pingtan-late/pt-caijin-2023.txt").read_text(encoding="utf-8")
    rows = {
        "一、本年新收政府信息公开申请数量0 0 0 0 0 00": "一、本年新收政府信息公开申请数量210000021",
        "二、上年结转政府信息公开申请数量0 0 0 0 0 00": "二、上年结转政府信息公开申请数量2 00 00 0 2",
        "（一）予以公开0 0 0 0 0 00": "（一）予以公开1400000 14",
        "不计其他情形）00 0 0 0 00": "不计其他情形）30 0 0 0 03",
        "1.属于国家秘密0 0 0 0 0 00": "1.属于国家秘密0 00000",
        "3.其他0 0 0 0 0 00（七）总计0 0 0 0 0 00": "3.其他（七）总计4000004",
        "行政事业性收费5949.09": "行政事业性收费82059.2090万元",
        "00 0 00 0 0 0 00 0 0 0 00": "1 02 0 312 00 012 0 00 00",
    }
    for old, new in rows.items():
        assert old in text, old
        text = text.replace(old, new)
    report = parse_bytes(text.encode(), "caijin.txt")
    requests = report.to_dict()["tables"]["requests"]
    six = ["commercial", "research", "nonprofit", "legal_services", "other_org"]
    for row, n in (("new", 21), ("carried_over", 2), ("granted", 14), ("partly_granted", 3), ("total", 4)):
        assert [requests[row][c] for c in ("natural_person", *six, "total")] == [n, 0, 0, 0, 0, 0, n], row
    # too few digits: no guess, every cell null (F005)
    assert all(v is None for v in requests["withheld_state_secret"].values())
    # a row with no values is null, not 0
    assert all(v is None for v in requests["other_other"].values())
    assert report.to_dict()["tables"]["proactive"]["fees"]["amount"] == Decimal("82059.209")
    appeals = report.to_dict()["tables"]["appeals"]
    assert [list(appeals[g].values()) for g in ("review", "litigation_direct", "litigation_after_review")] == [
        [1, 0, 2, 0, 3],
        [12, 0, 0, 0, 12],
        [0, 0, 0, 0, 0],
    ]
    codes = {f.code for f in check_report(report)}
    assert {"F005", "F014", "F101"} <= codes


def test_agency_from_the_crawler_header_when_the_title_has_none() -> None:
    header = HEADER.replace("标题: 临河区医疗保障局2023年", "标题: 2023年").replace(
        "发布机构: ", "发布机构: 临河区医疗保障局"
    )
    body = (
        one_line(seed_text("003"))
        .replace("临河区医疗保障局2023年为", "2023年为")
        .replace("临河区医疗保障局2024年", "2024年")
    )
    report = parse_bytes((header + body).encode(), "h.txt")
    assert report.meta.agency == "临河区医疗保障局"
