"""PDF files with a text layer.

Per page: ruled tables become exact grids — a position covered by a merged cell is
``Cell("", merged=True)`` — and the text outside them becomes paragraphs, in reading order, each
with its page and box (:mod:`gongkai.readers.pdf_layout`). Lines that wrap in the middle of a
paragraph are joined back. Page headers and footers (``- 3 -``, ``第 3 页 共 8 页``, a bare page
number) are dropped, so a table running over a page break comes out as consecutive Table blocks
with nothing between them. Text on pages without ruling lines stays as text lines, with wide gaps
written as `` | `` for the layout stage.

Pages are read with PDFium (:mod:`gongkai.readers.pdf_pdfium`), which reads a page's content
in C where pdfminer interprets every operator in Python: a five-page report in tens of
milliseconds instead of half a second, with the same characters, boxes and paths. A page PDFium
cannot read the way pdfminer does — a text object it leaves out — is read with pdfminer through
pdfplumber, as is a whole file with a stream that inflates 256-fold or more (PDFium aborts the
process when it runs out of memory; pdfminer raises ``MemoryError``, which the worker reports as
``memory``).
"""

from __future__ import annotations

import gc
import io
import re
import statistics
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from gongkai.document import Block, Cell, Document, Location, Table, new_paragraph, slot_maker
from gongkai.formats import match_heading
from gongkai.limits import DEFAULT_LIMITS, Limits
from gongkai.readers.errors import ReadError, limit_error
from gongkai.readers.html import join_lines
from gongkai.readers.pdf_layout import (
    Line,
    PageLayout,
    TableOnPage,
    clean_pdf_text,
    is_page_furniture,
    is_password_error,
    read_layout,
    reraise_memory_error,
)
from gongkai.readers.pdf_pdfium import PageObjects, read_page

__all__ = ["MIN_TEXT_CHARS", "clean_pdf_text", "document", "is_page_furniture", "read"]

MIN_TEXT_CHARS = 20  # fewer characters than this on every page: a scan without a text layer
_Line = Line  # the name the tests know
# Cell(...) and Location(...) made faster (document.slot_maker): one of each per grid position
_new_cell = slot_maker(Cell, ("text", "loc", "merged"))
_new_location = slot_maker(Location, ("line", "table", "row", "cell", "page", "bbox"))


# ------------------------------------------------------------------------------------------------
# Document assembly


def _joins(prev: Line, line: Line, right: float, left: float, same_page: bool) -> bool:
    """Whether ``line`` continues the paragraph of ``prev`` (which ran to the right margin)."""
    if match_heading(line.text):
        return False  # a section heading always starts a paragraph, however the line before ends
    if prev.x1 < right - 1.5 * prev.size:
        return False  # the previous line stops short: a heading, a last line, a signature
    if line.x0 > left + 0.6 * line.size:
        return False  # indented: a new paragraph
    if abs(line.size - prev.size) > 1.0:
        return False
    if same_page and line.top - prev.bottom > 1.2 * max(prev.size, line.size):
        return False
    return " | " not in prev.text and " | " not in line.text


def _joins_heading(prev: Line, line: Line, center: float, body_size: float) -> bool:
    """A title set in large type over two centred lines (``洪泽区人民政府`` / ``2023 年…年度报告``)."""
    if prev.size < body_size * 1.15 or abs(line.size - prev.size) > 0.5:
        return False
    if line.top - prev.bottom > 1.0 * prev.size:
        return False
    tol = 2 * prev.size
    return abs((prev.x0 + prev.x1) / 2 - center) < tol and abs((line.x0 + line.x1) / 2 - center) < tol


def _assemble(pages: list[PageLayout]) -> Document:
    blocks: list[Block] = []
    lines: list[str] = []
    tables = 0
    # Paragraph under construction: text pieces, first line number, page, box.
    para: list[Any] | None = None
    prev_line: Line | None = None
    prev_page = 0
    sizes = [it.size for p in pages for it in p.items if isinstance(it, Line)]
    body_size = statistics.median(sizes) if sizes else 10.0

    def flush() -> None:
        nonlocal para
        if para is not None:
            pieces, line_no, page_no, box = para
            blocks.append(new_paragraph(join_lines(pieces), Location(line=line_no, page=page_no, bbox=box)))
        para = None

    for page in pages:
        text_lines = [it for it in page.items if isinstance(it, Line)]
        right = max((ln.x1 for ln in text_lines), default=page.width)
        left = min((ln.x0 for ln in text_lines), default=0.0)
        for item in page.items:
            if isinstance(item, TableOnPage):
                flush()
                prev_line = None
                first_line = len(lines) + 1
                cells: list[tuple[Cell, ...]] = []
                for r, row in enumerate(item.rows):
                    lines.append(" | ".join(text for text, merged, _ in row if not merged))
                    line_no = len(lines)
                    cells.append(
                        tuple(
                            [
                                _new_cell(text, _new_location(line_no, tables, r, c, page.number, bbox), merged)
                                for c, (text, merged, bbox) in enumerate(row)
                            ]
                        )
                    )
                blocks.append(
                    Table(
                        rows=tuple(cells),
                        loc=Location(line=first_line, table=tables, page=page.number, bbox=item.bbox),
                    )
                )
                tables += 1
                continue
            lines.append(item.text)
            line_no = len(lines)
            box = (item.x0, item.top, item.x1, item.bottom)
            same_page = prev_page == page.number
            if (
                para is not None
                and prev_line is not None
                and (
                    _joins(prev_line, item, right, left, same_page=same_page)
                    or (same_page and _joins_heading(prev_line, item, (left + right) / 2, body_size))
                )
            ):
                para[0].append(item.text)
                if para[2] == page.number:
                    old = para[3]
                    para[3] = (min(old[0], box[0]), old[1], max(old[2], box[2]), box[3])
            else:
                flush()
                para = [[item.text], line_no, page.number, box]
            prev_line = item
            prev_page = page.number
    flush()
    return Document(blocks=blocks, kind="pdf", lines=lines, encoding=None)


# ------------------------------------------------------------------------------------------------
# Errors


def _encrypted() -> ReadError:
    return ReadError(
        "encrypted",
        "PDF 文件已加密（需要密码才能打开）：请去除密码保护，或提供未加密的副本后重试。",
        "The PDF is encrypted (it needs a password to open): remove the password protection or provide an "
        "unprotected copy, then try again.",
    )


def _corrupt(detail: str) -> ReadError:
    return ReadError(
        "corrupt",
        "PDF 文件已损坏或不完整，无法读取：请重新下载原文件，或用 PDF 阅读器打开后另存一份再重试。",
        f"The PDF is damaged or incomplete and cannot be read ({detail}): download the original again, or "
        "open it in a PDF reader and save a new copy.",
    )


def _scanned() -> ReadError:
    return ReadError(
        "scanned",
        "PDF 没有文字层，是扫描件，暂不支持文字识别（OCR）：请提供报告的网页、Word 或可复制文字的 PDF 版本。",
        "The PDF has no text layer: it is a scanned image, and OCR is not available yet. Provide the report "
        "as a web page, Word file or a PDF whose text can be copied.",
    )


# ------------------------------------------------------------------------------------------------
# Reading


_STREAM = re.compile(rb"stream\r?\n")
_PROBE = 4096  # compressed bytes of each stream inflated to tell a bomb
_BOMB_RATIO = 256  # a content stream inflates 3 to 20 times; a bomb a thousand times
_OTHER_FILTERS = re.compile(rb"/(?:LZWDecode|RunLengthDecode|LZW|RL)(?![A-Za-z0-9])")


def _stream_starts(data: bytes) -> Iterator[int]:
    """The ends of :data:`_STREAM`'s matches in *data* (where each stream's bytes begin), found
    with ``bytes.find``: the regular expression's matcher tried every byte of the file."""
    find = data.find
    at = find(b"stream")
    while at >= 0:
        end = at + 6
        if data[end : end + 1] == b"\n":
            yield end + 1
            at = find(b"stream", end + 1)
        elif data[end : end + 2] == b"\r\n":
            yield end + 2
            at = find(b"stream", end + 2)
        else:
            at = find(b"stream", at + 1)


def _inflates_too_far(data: bytes) -> bool:
    """Whether a stream of the file may inflate past what PDFium can hold: a Flate stream whose
    first 4 KB inflate 256 times or more, or a stream compressed another way that can (LZW,
    run-length). Such a file is read with pdfminer, which raises ``MemoryError`` (reported as
    ``memory``) where PDFium would abort the process."""
    # (each match of the expression holds one of these: looked for first, at the speed of bytes.find)
    if (b"/LZW" in data or b"/RL" in data or b"/RunLengthDecode" in data) and _OTHER_FILTERS.search(data):
        return True
    view = memoryview(data)
    cap = _PROBE * _BOMB_RATIO
    for start in _stream_starts(data):
        try:
            out = zlib.decompressobj().decompress(view[start : start + _PROBE], cap)
        except zlib.error:
            continue  # not Flate (an image, a stream of plain text) or the word "stream" in one
        if len(out) >= cap:
            return True
    return False


def _open_pdfium(data: bytes) -> Any:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        code = pdfium_c.FPDF_GetLastError()
        if code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise _encrypted() from None
        detail = {pdfium_c.FPDF_ERR_FILE: "file", pdfium_c.FPDF_ERR_FORMAT: "format"}.get(code, f"PDFium error {code}")
        raise _corrupt(detail) from None
    except Exception as exc:
        reraise_memory_error(exc)
        raise _corrupt(type(exc).__name__) from None


def _open_pdfminer(data: bytes) -> Any:
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pdf.pages  # noqa: B018 - the page tree, read here so that its errors are reported as the file's
    except Exception as exc:
        reraise_memory_error(exc)
        if is_password_error(exc):
            raise _encrypted() from None
        raise _corrupt(type(exc).__name__) from None
    return pdf


def _pdfminer_objects(page: Any) -> PageObjects:
    """A page read by pdfminer, through pdfplumber."""
    return PageObjects(
        width=float(page.width),
        height=float(page.height),
        bbox=tuple(page.bbox),
        chars=list(page.chars),
        rects=list(page.rects),
        lines=list(page.lines),
        curves=list(page.curves),
    )


def _pages_pdfminer(data: bytes, limits: Limits) -> list[PageLayout]:
    """Every page read by pdfminer: how every PDF was read before PDFium."""
    pdf = _open_pdfminer(data)
    try:
        page_list = pdf.pages
        _check_pages(len(page_list), limits)
        out: list[PageLayout] = []
        for i, page in enumerate(page_list, start=1):
            try:
                out.append(read_layout(_pdfminer_objects(page), i))
            except ReadError:
                raise
            except Exception as exc:
                reraise_memory_error(exc)
                if is_password_error(exc):
                    raise _encrypted() from None
                raise _corrupt(f"page {i}: {type(exc).__name__}") from None
            finally:
                page.close()
        return out
    finally:
        pdf.close()


def _pages_pdfium(data: bytes, limits: Limits) -> list[PageLayout]:
    """Every page read by PDFium, but for those it leaves a text object out of: pdfminer's."""
    pdf = _open_pdfium(data)
    pdfminer: Any = None
    try:
        _check_pages(len(pdf), limits)
        out: list[PageLayout] = []
        for i in range(len(pdf)):
            try:
                page = pdf[i]
                try:
                    objects = read_page(page)
                finally:
                    page.close()
                if not objects.complete:
                    if pdfminer is None:
                        pdfminer = _open_pdfminer(data)
                    slow = pdfminer.pages[i]
                    try:
                        objects = _pdfminer_objects(slow)
                    finally:
                        slow.close()
                out.append(read_layout(objects, i + 1))
            except ReadError:
                raise
            except Exception as exc:
                reraise_memory_error(exc)
                if is_password_error(exc):
                    raise _encrypted() from None
                raise _corrupt(f"page {i + 1}: {type(exc).__name__}") from None
        return out
    finally:
        pdf.close()
        if pdfminer is not None:
            pdfminer.close()


def _check_pages(n: int, limits: Limits) -> None:
    if n == 0:
        raise _corrupt("no pages")
    if n > limits.pages:
        raise limit_error("pages", n, limits.pages)


def document(pages: Iterable[PageLayout], limits: Limits = DEFAULT_LIMITS) -> Document:
    """The Document of a PDF's page layouts; a scan (no text layer) and a file over the
    ``text_chars`` or ``cells`` limit are refused."""
    pages = list(pages)
    text_chars = sum(p.chars for p in pages)
    if text_chars < MIN_TEXT_CHARS:
        raise _scanned()
    if text_chars > limits.text_chars:
        raise limit_error("text_chars", text_chars, limits.text_chars)
    cells = sum(len(row) for p in pages for it in p.items if isinstance(it, TableOnPage) for row in it.rows)
    if cells > limits.cells:
        raise limit_error("cells", cells, limits.cells)
    return _assemble(pages)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused: reading a PDF with PDFium makes tens of thousands of
    dictionaries and tuples (a character, a ruling, a word), none in a cycle, which the collector
    would otherwise walk several times over, with everything the process has imported — a tenth
    of the reading time. (Not for a file read with pdfminer: its memory is what is bounded.)"""
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def read(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read a PDF with a text layer into a Document."""
    if _inflates_too_far(data):
        return document(_pages_pdfminer(data, limits), limits)
    with _collector_paused():
        return document(_pages_pdfium(data, limits), limits)
