"""HTML reader: exact grids from rowspan/colspan, reading order, encodings, page furniture.

Round trip: each seed is parsed from its text, rendered as the web pages reports are published
as (Word's "save as web page", a CMS page with menus and scripts, GBK with and without a meta
charset, traditional characters), parsed again, and every table value and the meta must match.
"""

from __future__ import annotations

import pytest

from gongkai.document import Paragraph, Table
from gongkai.normalize import fold
from gongkai.pipeline import parse_bytes
from gongkai.readers import ReadError, detect_kind, read_bytes
from gongkai.readers.html import collapse_ws, decode_html, join_lines, read
from gongkai.writers.html import render_variants, to_html

SEEDS = ("000", "001", "002", "003", "004")
VARIANTS = render_variants()


def meta_of(report, folded: bool = False) -> dict:
    m = report.meta
    agency = fold(m.agency) if folded and m.agency else m.agency
    return {"agency": agency, "year": m.year, "format": m.format, "signed_on": m.signed_on}


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("seed", SEEDS)
def test_round_trip_html(seed_reports, seed, variant):
    seed_report = seed_reports[seed]
    data = to_html(seed_report, **VARIANTS[variant])
    parsed = parse_bytes(data, f"{seed}.html")
    assert parsed.source.kind == "html"
    assert parsed.to_dict()["tables"] == seed_report.to_dict()["tables"]
    traditional = bool(VARIANTS[variant].get("traditional"))
    assert meta_of(parsed, traditional) == meta_of(seed_report, traditional)


@pytest.mark.parametrize("seed", SEEDS)
def test_site_chrome_with_breadcrumb_and_disclosure_sidebar(seed_reports, seed):
    """Real sites put 当前位置：…政府信息公开年度报告 and 信息公开年报 links above the title."""
    seed_report = seed_reports[seed]
    parsed = parse_bytes(to_html(seed_report, style="cms", page_chrome=True, breadcrumb=True), "page.html")
    assert parsed.to_dict()["tables"] == seed_report.to_dict()["tables"]
    assert meta_of(parsed) == meta_of(seed_report)
    assert parsed.meta.title is not None and "当前位置" not in parsed.meta.title


# ------------------------------------------------------------------------------------------------
# Document level


def _tables(doc) -> list[Table]:
    return [b for b in doc.blocks if isinstance(b, Table)]


def _shape(table: Table) -> list[str]:
    """One string per row: ``#`` a cell, ``.`` a merged position, ``_`` a real empty cell."""
    return ["".join("." if c.merged else ("#" if c.text else "_") for c in row) for row in table.rows]


def test_word_html_grids_are_exact(seed_reports):
    doc = read(to_html(seed_reports["001"], style="word"))
    proactive, requests, appeals = _tables(doc)
    assert len(requests.rows[0]) == 10
    assert all(len(row) == 10 for row in requests.rows)
    # Head: corner 3×3, 申请人情况 over 7; 自然人 and 总计 over two rows; five kinds of organisation.
    assert _shape(requests)[:3] == ["#..#......", "...##....#", "....#####."]
    texts = [c.text for c in requests.rows[2] if not c.merged]
    assert texts == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]  # <p>商业</p><p>企业</p>
    # 三、本年度办理结果 block and the （三）不予公开 group are rowspans: covered positions are merged.
    block = next(r for r, row in enumerate(requests.rows) if row[0].text == "三、本年度办理结果")
    assert requests.rows[block + 1][0].merged and requests.rows[block + 1][0].text == ""
    group = next(r for r, row in enumerate(requests.rows) if row[1].text == "（三）不予公开")
    assert [requests.rows[group + i][1].merged for i in range(8)] == [False] + [True] * 7
    assert requests.rows[group][2].text == "1.属于国家秘密"
    # Table 四: 15 columns under a three-row head.
    assert _shape(appeals) == [
        "#....#.........",
        "######....#....",
        ".....##########",
        "###############",
    ]
    assert proactive.rows[0][0].text == "第二十条第（一）项" and all(c.merged for c in proactive.rows[0][1:])
    # Locations: table/row/cell, and a line of Document.lines showing the row.
    cell = requests.rows[3][3]
    assert (cell.loc.table, cell.loc.row, cell.loc.cell) == (1, 3, 3)
    assert doc.lines[cell.loc.line - 1].startswith("一、本年新收政府信息公开申请数量 | ")


def test_blank_cells_are_empty_not_merged():
    page = (
        "<table border=1><tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td></tr>"
        "<tr><td>规章</td><td>&nbsp;</td><td><p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p></td>"
        "</tr><tr><td>行政规范性文件</td><td>3</td></tr></table>"
    ).encode()
    (table,) = _tables(read(page))
    assert _shape(table) == ["###", "#__", "##."]  # a short row has no cell of its own past its end


def test_spans_are_clipped_and_resolved():
    page = (
        "<table><tr><td rowspan=9>甲</td><td colspan=2>乙</td></tr>"
        "<tr><td>丙</td><td rowspan=0>丁</td></tr>"
        "<tr><td colspan=5000>戊</td></tr></table>"
    ).encode()
    (table,) = _tables(read(page))
    assert len(table.rows) == 3
    width = len(table.rows[0])
    assert all(len(r) == width for r in table.rows)
    assert [c.text for c in table.rows[1] if not c.merged] == ["丙", "丁"]
    assert table.rows[2][0].merged and table.rows[2][1].text == "戊"


def test_nested_layout_tables_do_not_swallow_the_data_table():
    page = """<html><body><table width=1000><tr><td>
      <table><tr><td>首页</td><td>政务公开</td></tr></table>
      <p>一、总体情况</p><p>正文。</p>
      <table border=1><tr><td>信息内容</td><td>本年制发件数</td></tr><tr><td>规章</td><td>0</td></tr></table>
      <p>三、收到和处理政府信息公开申请情况</p>
    </td></tr></table></body></html>""".encode()
    doc = read(page)
    kinds = [("T" if isinstance(b, Table) else b.text) for b in doc.blocks]
    assert kinds == ["T", "一、总体情况", "正文。", "T", "三、收到和处理政府信息公开申请情况"]
    assert _shape(_tables(doc)[1]) == ["##", "##"]


def test_single_column_wrapper_table_is_text():
    page = "<table><tr><td><p>一、总体情况</p><p>2023年，本局……</p></td></tr></table>".encode()
    doc = read(page)
    assert [b.text for b in doc.blocks if isinstance(b, Paragraph)] == ["一、总体情况", "2023年，本局……"]
    assert not _tables(doc)


def test_scripts_styles_and_hidden_elements_are_dropped(seed_reports):
    doc = read(to_html(seed_reports["002"], style="cms", page_chrome=True))
    text = "\n".join(doc.lines)
    assert "document.write" not in text and "_hmt" not in text and "float" not in text
    assert "首页" in text and "主办单位" in text  # furniture stays; the sections stage filters it
    hidden = read("<p>看得见</p><div style='display: none'>看不见</div><p hidden>也看不见</p>".encode())
    assert [b.text for b in hidden.blocks] == ["看得见"]


def test_word_source_wraps_and_br_join_without_space():
    page = (
        "<p>2021年，卫滨区\n医疗保障局按照 <span lang=EN-US>2021</span>\n年</p>"
        "<table><tr><td>商业<br>企业</td><td>Legal<br>services</td></tr></table>"
    )
    doc = read(page.encode())
    assert doc.blocks[0].text == "2021年，卫滨区医疗保障局按照 2021 年"
    assert [c.text for c in _tables(doc)[0].rows[0]] == ["商业企业", "Legal services"]
    assert join_lines(["结果", "维持"]) == "结果维持"
    assert join_lines(["危及", "“三安全一稳定”"]) == "危及“三安全一稳定”"
    assert collapse_ws("自然人\u00a0\u00a0 ") == "自然人"


def test_list_numbering_in_word_conditional_comments_is_kept():
    page = (
        "<p class=MsoListParagraph><![if !supportLists]><span lang=EN-US>1.<span style='font:7.0pt'>"
        "&nbsp;&nbsp;&nbsp; </span></span><![endif]>主动公开情况</p>"
    ).encode()
    assert [b.text for b in read(page).blocks] == ["1. 主动公开情况"]


# ------------------------------------------------------------------------------------------------
# Encodings


def test_gbk_with_and_without_meta(seed_reports):
    with_meta = to_html(seed_reports["003"], encoding="gbk")
    without = to_html(seed_reports["003"], encoding="gbk", meta_charset=False)
    assert b"charset=gb2312" in with_meta and b"charset" not in without
    with pytest.raises(UnicodeDecodeError):
        without.decode("utf-8")
    for data in (with_meta, without):
        doc = read(data)
        assert doc.encoding == "gb18030"
        assert any("临河区医疗保障局" in line for line in doc.lines)


def test_decoding_order():
    text = "<p>政府信息公开工作年度报告</p>"
    gbk = text.encode("gbk")
    assert decode_html(b"\xef\xbb\xbf" + text.encode()) == (text, "utf-8-sig")
    # declared GBK: read as GB18030 (a superset)
    assert decode_html(b'<meta charset="gb2312">' + gbk)[1] == "gb18030"
    # declared GBK but the bytes are UTF-8 (a mislabelled page): the bytes win
    assert decode_html(b'<meta charset="gbk">' + text.encode())[1] == "utf-8"
    # declared UTF-8 but the bytes are GBK: fall back
    assert decode_html(b'<meta charset="utf-8">' + gbk) == ('<meta charset="utf-8">' + text, "gb18030")
    # no declaration at all
    assert decode_html(gbk) == (text, "gb18030")
    # http-equiv form and an XML declaration
    assert decode_html(b'<meta http-equiv=Content-Type content="text/html; charset=GBK">' + gbk)[1] == "gb18030"
    xml = b'<?xml version="1.0" encoding="gb2312"?><html><body>' + gbk + b"</body></html>"
    assert read(xml).blocks[0].text == "政府信息公开工作年度报告"


# ------------------------------------------------------------------------------------------------
# Detection by content and errors


def test_a_doc_file_that_is_html_is_read_as_html(seed_reports):
    data = to_html(seed_reports["000"], style="word", encoding="gbk")
    assert detect_kind(data) == "html"
    doc = read_bytes(data, "年度报告.doc")
    assert doc.kind == "html"
    report = parse_bytes(data, "年度报告.doc")
    assert report.to_dict()["tables"] == seed_reports["000"].to_dict()["tables"]


def test_empty_page_is_an_error():
    with pytest.raises(ReadError) as exc:
        read_bytes(b"<html><body></body></html>", "x.html")
    assert exc.value.code == "empty"
    with pytest.raises(ReadError) as exc:
        parse_bytes(b"<html><body><p>\xe9\x80\x9a\xe7\x9f\xa5</p></body></html>", "x.html")
    assert exc.value.code == "not_a_report"
