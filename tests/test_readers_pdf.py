"""PDF reader: ruled tables as exact grids, text in reading order, page furniture, look-alike
code points, and the ways a PDF cannot be read (password, scan, damage).

Round trip: each seed is parsed from its text, rendered as a PDF whose table 三 runs over a page
break without repeating its head, parsed again; every table value and the meta must match.
"""

from __future__ import annotations

import io
import json

import pytest

from gongkai.document import Paragraph, Table
from gongkai.pipeline import parse_bytes
from gongkai.readers import ReadError, detect_kind, read_bytes
from gongkai.readers.pdf import clean_pdf_text, is_page_furniture, read
from gongkai.writers.pdf import to_pdf

SEEDS = ("000", "001", "002", "003", "004")


def meta_of(report) -> dict:
    m = report.meta
    return {"agency": m.agency, "year": m.year, "format": m.format, "signed_on": m.signed_on}


@pytest.fixture(scope="module")
def rendered(seed_reports) -> dict[str, bytes]:
    return {seed: to_pdf(seed_reports[seed]) for seed in SEEDS}


@pytest.mark.parametrize("seed", SEEDS)
def test_round_trip_pdf_with_table_three_over_a_page_break(seed_reports, rendered, seed):
    doc = read(rendered[seed])
    # Table 三 comes out as two consecutive Table blocks on two pages, nothing between them.
    blocks = doc.blocks
    heading = next(
        i
        for i, b in enumerate(blocks)
        if isinstance(b, Paragraph) and b.text.startswith("三、") and "收到和处理" in b.text
    )
    first = next(i for i in range(heading, len(blocks)) if isinstance(blocks[i], Table))
    second = blocks[first + 1]
    assert isinstance(second, Table)
    assert second.loc.page == blocks[first].loc.page + 1
    assert not any("申请人情况" in c.text for row in second.rows for c in row)  # head not repeated

    parsed = parse_bytes(rendered[seed], f"{seed}.pdf")
    assert parsed.source.kind == "pdf"
    assert parsed.to_dict()["tables"] == seed_reports[seed].to_dict()["tables"]
    assert meta_of(parsed) == meta_of(seed_reports[seed])


def test_round_trip_pdf_without_the_split(seed_reports):
    data = to_pdf(seed_reports["002"], split_table_three=False)
    parsed = parse_bytes(data, "002.pdf")
    assert parsed.to_dict()["tables"] == seed_reports["002"].to_dict()["tables"]
    assert meta_of(parsed) == meta_of(seed_reports["002"])


def test_grids_locations_and_footers(rendered):
    doc = read(rendered["001"])
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert len(tables) == 4  # 二, 三 (two pages), 四
    head = tables[1]
    assert all(len(row) == 10 for row in head.rows)
    shape = ["".join("." if c.merged else ("#" if c.text else "_") for c in row) for row in head.rows]
    assert shape[:3] == ["#..#......", "...##....#", "....#####."]
    # the continuation starts with the cells cut by the page break: real, empty cells
    cont = tables[2]
    assert not cont.rows[0][0].merged and cont.rows[0][0].text == ""
    cell = head.rows[3][3]
    assert cell.loc.page == head.loc.page and cell.loc.bbox is not None
    assert (cell.loc.table, cell.loc.row, cell.loc.cell) == (1, 3, 3)
    assert doc.lines[cell.loc.line - 1].startswith("一、本年新收政府信息公开申请数量 | ")
    # page footers (- 2 -) are gone; paragraphs carry page and box
    assert not any(is_page_furniture(b.text) for b in doc.blocks if isinstance(b, Paragraph))
    para = next(b for b in doc.blocks if isinstance(b, Paragraph))
    assert para.loc.page == 1 and para.loc.bbox is not None and para.loc.line == 1


def test_wrapped_lines_are_joined_into_paragraphs(rendered):
    doc = read(rendered["002"])
    paras = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    long = next(p for p in paras if p.startswith("一年来"))
    assert long.endswith("认真主动做好2020年本部门政府信息公开各项工作。")
    assert "一、总体情况" in paras


def test_text_clean_up():
    assert clean_pdf_text("⼀、总体情况") == "一、总体情况"  # Kangxi radical ⼀ (U+2F00)
    assert clean_pdf_text("⼯作") == "工作"  # ⼯ U+2F2F
    assert clean_pdf_text("⼆〇二三年") == "二〇二三年"
    assert clean_pdf_text("２０２３年") == "2023年"
    assert clean_pdf_text("\uf9b2") == "\u96f6"  # CJK compatibility ideograph 零 → 零
    assert clean_pdf_text("邮 编 ： 223100 ， 电 话") == "邮编： 223100 ，电话"
    assert clean_pdf_text("结 果 维 持") == "结果维持"
    assert clean_pdf_text("2023 年 1 月") == "2023 年 1 月"  # digits keep their spacing
    for footer in ("- 3 -", "—3—", "3", "第 3 页 共 8 页", "第3页", "3/8", "Page 3 of 8"):
        assert is_page_furniture(footer), footer
    for text in ("三、收到和处理政府信息公开申请情况", "0 0 0", "2023年"):
        assert not is_page_furniture(text), text


def _canvas_pdf(draw) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    c = canvas.Canvas(out)
    draw(c)
    c.save()
    return out.getvalue()


def test_unruled_text_tables_stay_text_with_cell_gaps():
    def draw(c):
        c.setFont("STSong-Light", 12)
        c.drawString(72, 760, "二、主动公开政府信息情况")
        for i, row in enumerate([("信息内容", "本年制发件数", "本年废止件数"), ("规章", "0", "5")]):
            for j, text in enumerate(row):
                c.drawString(72 + 150 * j, 730 - 20 * i, text)
        c.drawCentredString(297, 30, "第 1 页 共 1 页")

    doc = read(_canvas_pdf(draw))
    assert [b.text for b in doc.blocks] == [
        "二、主动公开政府信息情况",
        "信息内容 | 本年制发件数 | 本年废止件数",
        "规章 | 0 | 5",
    ]


# ------------------------------------------------------------------------------------------------
# Detection and errors


def test_an_html_file_that_is_a_pdf_is_read_as_pdf(rendered, seed_reports):
    assert detect_kind(rendered["003"]) == "pdf"
    report = parse_bytes(rendered["003"], "年度报告.html")
    assert report.source.kind == "pdf"
    assert report.to_dict()["tables"] == seed_reports["003"].to_dict()["tables"]


def _encrypt(data: bytes, user: str) -> bytes:
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user, owner_password="owner-secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_encrypted_pdf(rendered):
    with pytest.raises(ReadError) as exc:
        read_bytes(_encrypt(rendered["000"], "secret"), "locked.pdf")
    assert exc.value.code == "encrypted"
    assert "密码" in exc.value.message_zh and "password" in exc.value.message_en
    # Only an owner password (no password to open): readable as usual.
    doc = read_bytes(_encrypt(rendered["000"], ""), "restricted.pdf")
    assert any(isinstance(b, Table) for b in doc.blocks)


def _image_only_pdf() -> bytes:
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader

    img = Image.new("L", (600, 800), 255)
    ImageDraw.Draw(img).rectangle((50, 50, 550, 120), outline=0)

    def draw(c):
        c.drawImage(ImageReader(img), 40, 40, 515, 760)

    return _canvas_pdf(draw)


def test_scanned_pdf():
    with pytest.raises(ReadError) as exc:
        read_bytes(_image_only_pdf(), "scan.pdf")
    assert exc.value.code == "scanned"
    assert "OCR" in exc.value.message_zh and "OCR is not available yet" in exc.value.message_en


@pytest.mark.parametrize("data", [b"%PDF-1.4\n1 0 obj garbage", b"%PDF-1.7\n" + bytes(range(256)) * 4])
def test_corrupt_pdf(data):
    with pytest.raises(ReadError) as exc:
        read_bytes(data, "broken.pdf")
    assert exc.value.code == "corrupt"


def test_truncated_pdf(rendered):
    data = rendered["004"]
    with pytest.raises(ReadError) as exc:
        read_bytes(data[: len(data) // 2], "half.pdf")
    assert exc.value.code == "corrupt"


def test_the_garbage_collector_runs_again_after_a_read(rendered):
    """The reader pauses the cyclic garbage collector while PDFium's pages are read, and starts it
    again whatever the read ends in; a collector paused by the caller stays paused."""
    import gc

    assert gc.isenabled()
    read_bytes(rendered["000"], "report.pdf")
    assert gc.isenabled()
    for data in (b"%PDF-1.4\n1 0 obj garbage", rendered["004"][: len(rendered["004"]) // 2]):
        with pytest.raises(ReadError):
            read_bytes(data, "broken.pdf")
        assert gc.isenabled()
    gc.disable()
    try:
        read_bytes(rendered["000"], "report.pdf")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_batch_goes_on_past_bad_pdfs(tmp_path, rendered):
    from typer.testing import CliRunner

    from gongkai.views.cli import EXIT_USAGE_OR_IO, app

    (tmp_path / "a_locked.pdf").write_bytes(_encrypt(rendered["000"], "secret"))
    (tmp_path / "b_scan.pdf").write_bytes(_image_only_pdf())
    (tmp_path / "c_half.pdf").write_bytes(rendered["001"][:4000])
    (tmp_path / "d_good.pdf").write_bytes(rendered["003"])
    result = CliRunner().invoke(app, ["parse", str(tmp_path), "--format", "json"])
    assert result.exit_code == EXIT_USAGE_OR_IO
    objects = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [o["meta"]["agency"] for o in objects if "error" not in o] == ["临河区医疗保障局"]
    assert all(o["error"]["code"] and o["error"]["message"] for o in objects if "error" in o)
    for code in ("(encrypted)", "(scanned)", "(corrupt)"):
        assert code in result.stderr


def test_a_heading_never_joins_the_paragraph_before_it():
    """A paragraph whose last line runs to the right margin, then a flush-left section heading in
    the same type: geometry alone would join them (63 of 201 generated PDFs lost a heading)."""
    from gongkai.readers.pdf import _joins, _Line

    text = "全年主动公开政府信息265条，其中政策解读52条，依申请公开工作严格按照受理、登记、审查"
    body = _Line(text, 72, 100, 523, 112, 12)
    heading = _Line("二、主动公开政府信息情况", 72, 115, 220, 127, 12)
    more = _Line("审签、答复告知、送达等程序办理。", 72, 115, 260, 127, 12)
    assert _joins(body, more, right=523, left=72, same_page=True)
    assert not _joins(body, heading, right=523, left=72, same_page=True)
