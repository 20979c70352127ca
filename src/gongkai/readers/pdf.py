"""PDF files with a text layer (pdfplumber).

Per page: ruled tables (``find_tables`` on the drawn lines; white boxes that some producers paint
behind every text line are ignored) become exact grids — a position covered by a merged cell is
``Cell("", merged=True)`` — and the text outside them becomes paragraphs, in reading order, each
with its page and box. Lines that wrap in the middle of a paragraph are joined back. Page headers
and footers (``- 3 -``, ``第 3 页 共 8 页``, a bare page number) are dropped, so a table running
over a page break comes out as consecutive Table blocks with nothing between them. Text on pages
without ruling lines stays as text lines, with wide gaps written as `` | `` for the layout stage.

Look-alike code points that PDF text layers produce (Kangxi radicals ⼀ ⼯ for 一 工, CJK
compatibility ideographs, full-width digits and letters) are folded before anything reads a label,
and characters spaced out by justification (``邮 编 ：``) are joined.
"""

from __future__ import annotations

import io
import re
import statistics
import unicodedata
from dataclasses import dataclass
from typing import Any

from gongkai.document import Block, Cell, Document, Location, Paragraph, Table
from gongkai.formats import match_heading
from gongkai.limits import DEFAULT_LIMITS, Limits
from gongkai.normalize import RADICAL_SUPPLEMENT
from gongkai.readers.errors import ReadError, limit_error
from gongkai.readers.html import join_lines, join_spaced_cjk

MIN_TEXT_CHARS = 20  # fewer characters than this on every page: a scan without a text layer
_TABLE_SETTINGS: dict[str, Any] = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
}
_MARGIN = 0.1  # headers and footers live in the top and bottom tenth of the page
_PAGE_NUMBER_RES = (
    re.compile(r"^[-—–－~～·•\s]*\d{1,4}[-—–－~～·•\s]*$"),  # - 3 -, —3—, 3
    re.compile(r"^第\s*\d{1,4}\s*页\s*[,，/、]?\s*(共\s*\d{1,4}\s*页)?$"),  # 第 3 页 共 8 页
    re.compile(r"^\d{1,4}\s*/\s*\d{1,4}$"),  # 3/8
    re.compile(r"^(page|p\.)\s*\d{1,4}(\s*(of|/)\s*\d{1,4})?$", re.IGNORECASE),
)


# ------------------------------------------------------------------------------------------------
# Text clean-up


def _fold_char(ch: str) -> str:
    o = ord(ch)
    if o in RADICAL_SUPPLEMENT:
        return RADICAL_SUPPLEMENT[o]
    if (
        0x2E80 <= o <= 0x2FDF  # CJK radicals supplement, Kangxi radicals
        or 0xF900 <= o <= 0xFAFF  # CJK compatibility ideographs
        or 0x2F800 <= o <= 0x2FA1F  # … supplement
        or 0xFF10 <= o <= 0xFF19  # full-width digits
        or 0xFF21 <= o <= 0xFF3A
        or 0xFF41 <= o <= 0xFF5A
        or o in (0xFF0E, 0xFF05, 0xFF0B, 0xFF0D)  # ． ％ ＋ －
    ):
        return unicodedata.normalize("NFKC", ch)
    if 0xE000 <= o <= 0xF8FF or o in (0xFFFD,):
        return ""  # private-use glyphs and replacement characters carry no text
    return ch


_FOLD_CACHE: dict[str, str] = {}


def clean_pdf_text(text: str) -> str:
    """Fold look-alike code points, join spaced-out CJK, collapse runs of spaces."""
    if not text:
        return ""
    out = []
    for ch in text:
        folded = _FOLD_CACHE.get(ch)
        if folded is None:
            folded = _FOLD_CACHE[ch] = _fold_char(ch)
        out.append(folded)
    s = "".join(out).replace("\u3000", " ").replace("\xa0", " ")
    s = re.sub(r"[ \t]+", " ", s).strip()
    return join_spaced_cjk(s)


def is_page_furniture(text: str) -> bool:
    t = text.strip()
    return bool(t) and any(r.match(t) for r in _PAGE_NUMBER_RES)


# ------------------------------------------------------------------------------------------------
# Page reading


def _visible(obj: dict[str, Any]) -> bool:
    """Drop the white boxes WPS paints behind text lines: they are not table rulings."""
    if obj.get("object_type") != "rect":
        return True
    if obj.get("stroke"):
        return True
    if obj.get("fill"):
        return not _is_white(obj.get("non_stroking_color"))
    return False


def _is_white(color: Any) -> bool:
    if color is None:
        return False
    if isinstance(color, (int, float)):
        return color >= 0.98
    if isinstance(color, (tuple, list)):
        values = [v for v in color if isinstance(v, (int, float))]
        if len(values) == 4:  # CMYK: white is no ink
            return all(v <= 0.02 for v in values)
        return bool(values) and all(v >= 0.98 for v in values)
    return False


@dataclass(slots=True)
class _Line:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float


@dataclass(slots=True)
class _TableOnPage:
    top: float
    bbox: tuple[float, float, float, float]
    rows: list[list[tuple[str, bool, tuple[float, float, float, float] | None]]]


@dataclass(slots=True)
class _Page:
    number: int
    width: float
    height: float
    items: list[_Line | _TableOnPage]
    chars: int


def _char_size(chars: list[dict[str, Any]]) -> float:
    sizes = [float(c.get("size") or 0) for c in chars if str(c.get("text", "")).strip()]
    return statistics.median(sizes) if sizes else 10.0


def _text_lines(page: Any, tables: list[Any]) -> list[_Line]:
    boxes = [t.bbox for t in tables]

    def outside(obj: dict[str, Any]) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx = (obj["x0"] + obj["x1"]) / 2
        cy = (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)

    rest = page.filter(outside) if boxes else page
    lines: list[_Line] = []
    for raw in rest.extract_text_lines(layout=False, strip=True, return_chars=True, x_tolerance=1.5):
        chars = [c for c in raw.get("chars", []) if c.get("upright", True)]
        if not chars:
            continue
        size = _char_size(chars)
        text = _with_gaps(chars, size)
        text = clean_pdf_text(text)
        if not text:
            continue
        lines.append(_Line(text, float(raw["x0"]), float(raw["top"]), float(raw["x1"]), float(raw["bottom"]), size))
    return lines


def _with_gaps(chars: list[dict[str, Any]], size: float) -> str:
    """The line's text with spaces where the characters are apart, and `` | `` where the gap is
    as wide as a table column gap (text tables drawn without ruling lines)."""
    chars = sorted(chars, key=lambda c: c["x0"])
    out: list[str] = []
    prev: dict[str, Any] | None = None
    for ch in chars:
        text = str(ch.get("text", ""))
        if prev is not None:
            gap = float(ch["x0"]) - float(prev["x1"])
            if gap > max(2.5 * size, 18):
                out.append(" | ")
            elif gap > 0.25 * size and not text.isspace() and not str(prev.get("text", "")).isspace():
                out.append(" ")
        out.append(text)
        prev = ch
    return "".join(out)


def _cell_text(text: str | None) -> str:
    if not text:
        return ""
    return clean_pdf_text(join_lines(clean_pdf_text(line) for line in text.split("\n")))


def _closing_edges(edges: list[dict[str, Any]], tol: float = 2.0) -> list[dict[str, Any]]:
    """Horizontal rulings a table lacks at a page break: where two or more vertical rulings end at
    the same height and no horizontal ruling is drawn there (Word leaves out the bottom border of
    a table that goes on on the next page, and the top border where it comes back)."""
    verticals = [e for e in edges if e.get("orientation") == "v"]
    horizontals = [e for e in edges if e.get("orientation") == "h"]
    out: list[dict[str, Any]] = []
    for end in ("top", "bottom"):
        groups: list[list[dict[str, Any]]] = []
        for e in sorted(verticals, key=lambda e: float(e[end])):
            if groups and abs(float(groups[-1][0][end]) - float(e[end])) <= tol:
                groups[-1].append(e)
            else:
                groups.append([e])
        for group in groups:
            if len(group) < 2:
                continue
            y = float(group[0][end])
            x0 = min(float(e["x0"]) for e in group)
            x1 = max(float(e["x1"]) for e in group)
            drawn = any(
                abs(float(h["top"]) - y) <= tol and float(h["x0"]) <= x0 + tol and float(h["x1"]) >= x1 - tol
                for h in horizontals
            )
            if not drawn:
                out.append(
                    {
                        "object_type": "line",
                        "x0": x0,
                        "x1": x1,
                        "top": y,
                        "bottom": y,
                        "width": x1 - x0,
                        "height": 0.0,
                    }
                )
    return out


def _read_page(page: Any, number: int) -> _Page:
    visible = page.filter(_visible)
    try:
        settings = dict(_TABLE_SETTINGS)
        closing = _closing_edges(list(visible.edges))
        if closing:
            settings["explicit_horizontal_lines"] = closing
        found = visible.find_tables(table_settings=settings)
    except Exception as exc:  # pdfplumber may fail on odd geometry; fall back to text
        _reraise_memory_error(exc)
        found = []
    tables: list[Any] = []
    items: list[_Line | _TableOnPage] = []
    for t in found:
        try:
            extracted = t.extract(x_tolerance=1.5)
        except Exception as exc:
            _reraise_memory_error(exc)
            continue
        rows_geom = t.rows
        grid: list[list[tuple[str, bool, tuple[float, float, float, float] | None]]] = []
        for r, row in enumerate(extracted):
            cells = rows_geom[r].cells if r < len(rows_geom) else [None] * len(row)
            grid.append(
                [
                    ("", True, None) if bbox is None else (_cell_text(text), False, tuple(bbox))
                    for text, bbox in zip(row, cells, strict=False)
                ]
            )
        width = max((len(r) for r in grid), default=0)
        for row in grid:
            row.extend([("", True, None)] * (width - len(row)))
        grid = [row for row in grid if any(not merged for _, merged, _ in row)]
        if not grid or width < 2 or not any(text for row in grid for text, _, _ in row):
            continue  # a frame around text, not a table
        tables.append(t)
        items.append(_TableOnPage(float(t.bbox[1]), tuple(t.bbox), grid))
    lines = _text_lines(page, tables)
    margin_top = page.height * _MARGIN
    margin_bottom = page.height * (1 - _MARGIN)
    for line in lines:
        in_margin = line.bottom <= margin_top or line.top >= margin_bottom
        if in_margin and is_page_furniture(line.text):
            continue
        items.append(line)
    items.sort(key=lambda it: it.top)
    return _Page(number, float(page.width), float(page.height), items, len(page.chars))


# ------------------------------------------------------------------------------------------------
# Document assembly


def _joins(prev: _Line, line: _Line, right: float, left: float, same_page: bool) -> bool:
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


def _joins_heading(prev: _Line, line: _Line, center: float, body_size: float) -> bool:
    """A title set in large type over two centred lines (``洪泽区人民政府`` / ``2023 年…年度报告``)."""
    if prev.size < body_size * 1.15 or abs(line.size - prev.size) > 0.5:
        return False
    if line.top - prev.bottom > 1.0 * prev.size:
        return False
    tol = 2 * prev.size
    return abs((prev.x0 + prev.x1) / 2 - center) < tol and abs((line.x0 + line.x1) / 2 - center) < tol


def _assemble(pages: list[_Page]) -> Document:
    blocks: list[Block] = []
    lines: list[str] = []
    tables = 0
    # Paragraph under construction: text pieces, first line number, page, box.
    para: list[Any] | None = None
    prev_line: _Line | None = None
    prev_page = 0
    sizes = [it.size for p in pages for it in p.items if isinstance(it, _Line)]
    body_size = statistics.median(sizes) if sizes else 10.0

    def flush() -> None:
        nonlocal para
        if para is not None:
            pieces, line_no, page_no, box = para
            blocks.append(Paragraph(join_lines(pieces), Location(line=line_no, page=page_no, bbox=box)))
        para = None

    for page in pages:
        text_lines = [it for it in page.items if isinstance(it, _Line)]
        right = max((ln.x1 for ln in text_lines), default=page.width)
        left = min((ln.x0 for ln in text_lines), default=0.0)
        for item in page.items:
            if isinstance(item, _TableOnPage):
                flush()
                prev_line = None
                first_line = len(lines) + 1
                cells: list[tuple[Cell, ...]] = []
                for r, row in enumerate(item.rows):
                    lines.append(" | ".join(text for text, merged, _ in row if not merged))
                    line_no = len(lines)
                    cells.append(
                        tuple(
                            Cell(
                                text,
                                Location(line=line_no, table=tables, row=r, cell=c, page=page.number, bbox=bbox),
                                merged=merged,
                            )
                            for c, (text, merged, bbox) in enumerate(row)
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


def _causes(exc: BaseException) -> list[BaseException]:
    """*exc* and what it wraps: pdfplumber wraps pdfminer's exceptions (``PdfminerException(exc)``)."""
    seen: set[int] = set()
    out: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        out.append(current)
        args = getattr(current, "args", ())
        if args and isinstance(args[0], BaseException):
            current = args[0]
            continue
        current = current.__cause__ or current.__context__
    return out


def _is_password_error(exc: BaseException) -> bool:
    return any(
        "Password" in type(c).__name__ or "Encrypt" in type(c).__name__ or "password" in str(c).lower()
        for c in _causes(exc)
    )


def _reraise_memory_error(exc: BaseException) -> None:
    """Over ``memory_mb`` is not a damaged file: let the worker report it as ``memory``, even when
    pdfplumber has wrapped the MemoryError."""
    if any(isinstance(c, MemoryError) for c in _causes(exc)):
        raise MemoryError from None


def read(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read a PDF with a text layer into a Document."""
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:
        _reraise_memory_error(exc)
        if _is_password_error(exc):
            raise _encrypted() from None
        raise _corrupt(type(exc).__name__) from None
    try:
        pages: list[_Page] = []
        try:
            page_list = pdf.pages
        except Exception as exc:
            _reraise_memory_error(exc)
            if _is_password_error(exc):
                raise _encrypted() from None
            raise _corrupt(type(exc).__name__) from None
        if not page_list:
            raise _corrupt("no pages")
        if len(page_list) > limits.pages:
            raise limit_error("pages", len(page_list), limits.pages)
        for i, page in enumerate(page_list, start=1):
            try:
                pages.append(_read_page(page, i))
            except ReadError:
                raise
            except Exception as exc:
                _reraise_memory_error(exc)
                if _is_password_error(exc):
                    raise _encrypted() from None
                raise _corrupt(f"page {i}: {type(exc).__name__}") from None
            finally:
                page.close()
    finally:
        pdf.close()
    text_chars = sum(p.chars for p in pages)
    if text_chars < MIN_TEXT_CHARS:
        raise _scanned()
    return _assemble(pages)
