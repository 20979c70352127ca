"""The PDF reader reads pages with PDFium and must give what pdfminer (through pdfplumber) gave:
the same grids, cells and paragraphs on every PDF the project has, the real ones and the written
ones, rotated, scaled, in a form XObject or with a MediaBox away from the origin.

Where PDFium cannot (a text object it leaves out; a stream that inflates a thousandfold, on which
PDFium would abort the worker) the page or the file is read by pdfminer, as before. The cell text
and text lines, rewritten from pdfplumber's functions for speed, are checked against them.
"""

from __future__ import annotations

import io
import random
import zlib
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest
from pdfplumber import utils
from pdfplumber.table import Table as PlumberTable
from pdfplumber.table import TableFinder

from gongkai.document import Table
from gongkai.limits import DEFAULT_LIMITS
from gongkai.readers import ReadError, pdf_layout
from gongkai.readers import pdf as reader
from gongkai.readers.pdf_pdfium import read_page
from gongkai.writers.pdf import to_pdf

ROOT = Path(__file__).resolve().parent
REAL = sorted(p for p in ROOT.rglob("*.pdf"))
SEEDS = ("000", "001", "002", "003", "004")


def _blocks(doc) -> list:
    return [
        ("table", b.loc.page, [[(c.text, c.merged) for c in row] for row in b.rows])
        if isinstance(b, Table)
        else ("paragraph", b.loc.page, b.text)
        for b in doc.blocks
    ]


def _both(data: bytes) -> tuple:
    """The Document read by pdfminer on every page, and the one read by PDFium."""
    slow = reader.document(reader._pages_pdfminer(data, DEFAULT_LIMITS))
    fast = reader.document(reader._pages_pdfium(data, DEFAULT_LIMITS))
    return slow, fast


def _canvas(draw) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    c = canvas.Canvas(out)
    draw(c)
    c.showPage()
    c.save()
    return out.getvalue()


def _ruled_table(c) -> None:
    """Table 二's head and two rows with ruling lines, a rounded box (curves), a black and a white
    filled box, and a line of text under them."""
    x, y = 72, 700
    c.setFont("STSong-Light", 11)
    c.drawString(x, y + 40, "二、主动公开政府信息情况")
    rows = [("信息内容", "本年制发件数", "本年废止件数"), ("规章", "10", "25"), ("行政规范性文件", "3", "4")]
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            c.drawString(x + 4 + 140 * j, y - 20 * i + 6, text)
    for i in range(len(rows) + 1):
        c.line(x, y + 20 - 20 * i, x + 420, y + 20 - 20 * i)
    for j in range(4):
        c.line(x + 140 * j, y + 20, x + 140 * j, y + 20 - 20 * len(rows))
    c.roundRect(x, y - 200, 200, 60, 10)
    c.rect(x, y - 300, 300, 40, fill=1, stroke=0)
    c.setFillColorRGB(1, 1, 1)
    c.rect(x, y - 400, 300, 40, fill=1, stroke=0)
    c.setFillColorRGB(0, 0, 0)
    c.drawString(x, y - 120, "这是一段正文，写在表格之后，用来检查文字行。" * 2)


def _variant(kind: str) -> bytes:
    def draw(c) -> None:
        if kind == "landscape":  # turned a quarter, on a page turned back (/Rotate 90): reads upright
            c.translate(595, 0)
            c.rotate(90)
            c.translate(0, -250)
            _ruled_table(c)
        elif kind == "form":
            c.beginForm("table")
            _ruled_table(c)
            c.endForm()
            c.doForm("table")
        elif kind == "scaled":
            c.translate(50, 100)
            c.scale(0.8, 0.8)
            _ruled_table(c)
        else:
            _ruled_table(c)

    data = _canvas(draw)
    if kind.startswith("rotate") or kind in ("offset", "landscape"):
        pypdf = pytest.importorskip("pypdf")
        page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
        if kind == "offset":
            page.mediabox.lower_left = (-30, -50)
            page.mediabox.upper_right = (600, 800)
        else:
            page.rotate(90 if kind == "landscape" else int(kind.removeprefix("rotate")))
        writer = pypdf.PdfWriter()
        writer.add_page(page)
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    return data


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_pdfs_read_by_pdfium_as_by_pdfminer(path):
    data = path.read_bytes()
    doc = pdfium.PdfDocument(data)
    assert all(read_page(doc[i]).complete for i in range(len(doc)))  # no page left to pdfminer
    slow, fast = _both(data)
    assert _blocks(fast) == _blocks(slow)
    assert fast.lines == slow.lines


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_characters_and_paths_are_pdfminers(path):
    """Character for character the same text, boxes within a fifth of a point (PDFium keeps
    coordinates in single precision), and the same rectangles and lines."""
    data = path.read_bytes()
    slow_pdf = pdfplumber.open(io.BytesIO(data))
    doc = pdfium.PdfDocument(data)
    for i, slow in enumerate(slow_pdf.pages):
        fast = read_page(doc[i])
        assert "".join(c["text"] for c in fast.chars) == "".join(c["text"] for c in slow.chars)
        for a, b in zip(slow.chars, fast.chars, strict=True):
            for key in ("x0", "x1", "top", "bottom", "size"):
                assert abs(a[key] - b[key]) < 0.2, (i, a["text"], key, a[key], b[key])
            assert a["upright"] == b["upright"]
        for kind, objs in (("rect", fast.rects), ("line", fast.lines), ("curve", fast.curves)):

            def boxes(items):
                return sorted(
                    (round(o["x0"], 1), round(o["top"], 1), round(o["x1"], 1), round(o["bottom"], 1)) for o in items
                )

            assert len(objs) == len(slow.objects.get(kind, [])), kind
            for a, b in zip(boxes(slow.objects.get(kind, [])), boxes(objs), strict=True):
                assert max(abs(x - y) for x, y in zip(a, b, strict=True)) <= 0.11, (kind, a, b)


@pytest.mark.parametrize(
    "kind", ["plain", "form", "scaled", "rotate90", "rotate180", "rotate270", "offset", "landscape"]
)
def test_geometry_variants(kind):
    """The same Document either way. PDFium reads the page itself, but for the landscape one when
    no CJK font is installed: its turned text has no glyph boxes, so no width, and is left out."""
    data = _variant(kind)
    assert read_page(pdfium.PdfDocument(data)[0]).complete or kind == "landscape"
    slow, fast = _both(data)
    assert _blocks(fast) == _blocks(slow)
    assert any(isinstance(b, Table) for b in fast.blocks)


@pytest.fixture(scope="module")
def written(seed_reports) -> dict[str, bytes]:
    return {seed: to_pdf(seed_reports[seed]) for seed in SEEDS}


@pytest.mark.parametrize("seed", SEEDS)
def test_written_pdfs_read_as_by_pdfminer(written, seed):
    slow, fast = _both(written[seed])
    assert _blocks(fast) == _blocks(slow)


def test_a_text_object_pdfium_leaves_out_sends_its_page_to_pdfminer():
    """A one-character string in a font neither embedded nor installed (reportlab's STSong-Light
    on a machine without a CJK font): PDFium cannot size its glyph and leaves it out."""

    def draw(c) -> None:
        c.setFont("STSong-Light", 12)
        c.drawString(72, 700, "淮安市洪泽区人民政府二〇二四年政府信息公开工作年度报")
        c.drawString(72, 680, "告")

    data = _canvas(draw)
    objects = read_page(pdfium.PdfDocument(data)[0])
    text = "".join(c["text"] for c in objects.chars)
    assert objects.complete == ("告" in text)  # left out, and known to be (or a CJK font is installed)
    doc = reader.read(data)
    assert "".join(b.text for b in doc.blocks).endswith("年度报告")


def _inflating(mb: int) -> bytes:
    stream = zlib.compress(b"0 " * (mb << 19), 9)
    return b"%%PDF-1.4\n4 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream


def test_a_stream_that_inflates_a_thousandfold_is_left_to_pdfminer():
    assert reader._inflates_too_far(_inflating(4))
    assert reader._inflates_too_far(b"%PDF-1.4 << /Filter /LZWDecode >>")
    for path in REAL:
        assert not reader._inflates_too_far(path.read_bytes())


def test_text_chars_and_cells_limits(written):
    from gongkai.limits import Limits

    with pytest.raises(ReadError) as exc:
        reader.read(written["001"], Limits(text_chars=500))
    assert exc.value.code == "limit" and "text_chars" in exc.value.message_en
    with pytest.raises(ReadError) as exc:
        reader.read(written["001"], Limits(cells=50))
    assert exc.value.code == "limit" and "cells" in exc.value.message_en


def _char_sets(seed: int = 13):
    rnd = random.Random(seed)
    for path in REAL:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                chars = [c for c in page.chars if c["upright"]]
                yield page, chars
                for k in (2, 5, 20, 80, 300):
                    for _ in range(8):
                        picked = set(map(id, rnd.sample(chars, min(k, len(chars)))))
                        yield page, [c for c in chars if id(c) in picked]


def test_cell_text_is_pdfplumbers_extract_text():
    for _, chars in _char_sets():
        expected = utils.extract_text(chars, x_tolerance=1.5) if chars else ""
        assert (pdf_layout._cell_plain_text(chars) if chars else "") == expected


def test_text_lines_are_pdfplumbers_extract_text_lines():
    for page, chars in _char_sets():
        x0, top, x1, bottom = page.bbox
        textmap = utils.chars_to_textmap(
            chars,
            layout=False,
            x_tolerance=1.5,
            layout_bbox=page.bbox,
            layout_width=x1 - x0,
            layout_height=bottom - top,
        )
        expected = textmap.extract_text_lines(strip=True, return_chars=True) if chars else []
        got = pdf_layout._plain_text_lines(chars)
        assert [(r["x0"], r["top"], r["x1"], r["bottom"], [id(c) for c in r["chars"]]) for r in got] == [
            (r["x0"], r["top"], r["x1"], r["bottom"], [id(c) for c in r["chars"]]) for r in expected
        ]


def _pdfplumbers_tables(objects) -> list:
    """pdfplumber's own table finder on the page's visible rulings and the closing ones."""
    edges = [utils.line_to_edge(o) for o in objects.lines if pdf_layout._visible(o)]
    for r in objects.rects:
        if pdf_layout._visible(r):
            edges.extend(utils.rect_to_edges(r))
    for c in objects.curves:
        if pdf_layout._visible(c):
            edges.extend(utils.curve_to_edges(c))
    settings = dict(pdf_layout._TABLE_SETTINGS)
    closing = pdf_layout._closing_edges(*pdf_layout._edges(objects))
    if closing:
        settings["explicit_horizontal_lines"] = [
            {"object_type": "line", "x0": x0, "x1": x1, "top": y, "bottom": y, "width": x1 - x0, "height": 0.0}
            for x0, y, x1, _, _ in closing
        ]
    page = _TablePage(edges, objects.chars, objects.bbox)
    return [sorted(t.cells) for t in TableFinder(page, settings).tables]  # type: ignore[arg-type]


class _TablePage:
    """What pdfplumber's ``Table`` (and its table finder) reads of a page: its edges, characters
    and box."""

    def __init__(self, edges: list, chars: list, bbox: tuple) -> None:
        self.edges = edges
        self.chars = chars
        self.bbox = bbox


def _pages_read_both_ways(data: bytes):
    doc = pdfium.PdfDocument(data)
    for i in range(len(doc)):
        yield read_page(doc[i])
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            yield reader._pdfminer_objects(page)


def test_tables_are_pdfplumbers_table_finder(written):
    """The rulings snapped, joined, met and made into cells and tables as pdfplumber's
    TableFinder does it, on every page of every PDF here, read by PDFium and by pdfminer; each
    table's rows and box as pdfplumber's ``Table`` gives them."""
    files = [p.read_bytes() for p in REAL] + list(written.values())
    files += [_variant(kind) for kind in ("plain", "form", "scaled", "rotate90", "offset")]
    tables = 0
    for data in files:
        for objects in _pages_read_both_ways(data):
            found = pdf_layout._table_cells(objects)
            assert [sorted(cells) for cells in found] == _pdfplumbers_tables(objects)
            page = _TablePage([], objects.chars, objects.bbox)
            for cells in found:
                table = PlumberTable(page, cells)  # type: ignore[arg-type]
                assert pdf_layout._rows(cells) == [list(row.cells) for row in table.rows]
                assert pdf_layout._bbox(cells) == table.bbox
            tables += len(found)
    assert tables > 20
