"""Word documents (.docx, also .doc/.wps files that are really .docx inside).

The body is read in document order straight from its XML, so paragraphs and tables keep their
order. Every table becomes an exact grid: a cell spanning columns (``w:gridSpan``) covers the
positions after it, a cell continuing a vertical merge (``w:vMerge`` without ``restart``) and the
columns skipped by ``w:gridBefore``/``w:gridAfter`` hold no cell of their own; all of these are
``Cell("", merged=True)``. Headers, footers and deleted revisions are left out.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from gongkai.document import Block, Cell, Document, Location, Paragraph, Table
from gongkai.limits import DEFAULT_LIMITS, Limits
from gongkai.readers.errors import ReadError, limit_error
from gongkai.readers.html import join_lines

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_P = f"{{{W}}}p"
_TBL = f"{{{W}}}tbl"
_TR = f"{{{W}}}tr"
_TC = f"{{{W}}}tc"
_SDT = f"{{{W}}}sdt"
_SDT_CONTENT = f"{{{W}}}sdtContent"
_CUSTOM_XML = f"{{{W}}}customXml"
_T = f"{{{W}}}t"
_TAB = f"{{{W}}}tab"
_BR = f"{{{W}}}br"
_CR = f"{{{W}}}cr"
_NO_BREAK_HYPHEN = f"{{{W}}}noBreakHyphen"
_SYM = f"{{{W}}}sym"
_VAL = f"{{{W}}}val"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_SKIP = frozenset(
    {
        f"{{{W}}}del",
        f"{{{W}}}delText",
        f"{{{W}}}instrText",
        f"{{{W}}}moveFrom",
        f"{{{W}}}rPr",
        f"{{{W}}}pPr",
        f"{{{W}}}fldData",
        f"{{{MC}}}Fallback",
    }
)
_OFFICE_DOCUMENT = "/officeDocument"
_MAX_SPAN = 100


def _corrupt(detail: str, detail_en: str) -> ReadError:
    return ReadError(
        "corrupt",
        f"Word 文件已损坏或不完整（{detail}），无法打开：请用 Word 或 WPS 打开后另存为 .docx 或 PDF，"
        "或重新下载原文件后重试。",
        f"The Word file is damaged or incomplete ({detail_en}) and cannot be opened: open it in Word or WPS "
        "and save it again as .docx or PDF, or download the original again.",
    )


def _paragraph_text(p: etree._Element) -> str:
    """A paragraph's text: runs, hyperlinks, insertions; tabs as tabs, breaks as newlines."""
    out: list[str] = []

    def walk(el: etree._Element) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == _T:
                out.append(child.text or "")
            elif tag == _TAB:
                out.append("\t")
            elif tag in (_BR, _CR):
                out.append("\n")
            elif tag == _NO_BREAK_HYPHEN:
                out.append("-")
            elif tag == _TBL:
                continue  # a table inside a text box: read with its own paragraphs elsewhere
            else:
                walk(child)

    walk(p)
    return "".join(out)


def _cell_text(tc: etree._Element) -> str:
    lines: list[str] = []
    for el in tc.iter(_P):
        for piece in _paragraph_text(el).split("\n"):
            lines.append(" ".join(piece.split()))
    return join_lines(lines)


def _int_attr(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    try:
        return max(0, min(int(el.get(_VAL, default)), _MAX_SPAN))
    except ValueError:
        return default


def _row_cells(tr: etree._Element) -> list[etree._Element]:
    cells: list[etree._Element] = []

    def walk(el: etree._Element) -> None:
        for child in el:
            if child.tag == _TC:
                cells.append(child)
            elif child.tag in (_SDT, _SDT_CONTENT, _CUSTOM_XML):
                walk(child)

    walk(tr)
    return cells


def _table_rows(tbl: etree._Element) -> list[etree._Element]:
    rows: list[etree._Element] = []

    def walk(el: etree._Element) -> None:
        for child in el:
            if child.tag == _TR:
                rows.append(child)
            elif child.tag in (_SDT, _SDT_CONTENT, _CUSTOM_XML):
                walk(child)

    walk(tbl)
    return rows


def _grid(tbl: etree._Element, limits: Limits = DEFAULT_LIMITS) -> list[list[tuple[str, bool]]]:
    rows: list[list[tuple[str, bool]]] = []
    cells = 0
    for tr in _table_rows(tbl):
        row: list[tuple[str, bool]] = []
        tr_pr = tr.find(f"{{{W}}}trPr")
        before = min(_int_attr(tr_pr.find(f"{{{W}}}gridBefore") if tr_pr is not None else None, 0), limits.span)
        after = min(_int_attr(tr_pr.find(f"{{{W}}}gridAfter") if tr_pr is not None else None, 0), limits.span)
        row.extend([("", True)] * before)
        for tc in _row_cells(tr):
            tc_pr = tc.find(f"{{{W}}}tcPr")
            span = 1
            continued = False
            if tc_pr is not None:
                span = max(1, min(_int_attr(tc_pr.find(f"{{{W}}}gridSpan"), 1), limits.span))
                for merge_tag in ("vMerge", "hMerge"):
                    merge = tc_pr.find(f"{{{W}}}{merge_tag}")
                    if merge is not None and merge.get(_VAL, "continue") != "restart":
                        continued = True
            if continued:
                row.extend([("", True)] * span)
            else:
                row.append((_cell_text(tc), False))
                row.extend([("", True)] * (span - 1))
        row.extend([("", True)] * after)
        cells += len(row)
        if cells > limits.cells:
            raise limit_error("cells", None, limits.cells)
        rows.append(row)
    width = max((len(r) for r in rows), default=0)
    if width * len(rows) > limits.cells:
        raise limit_error("cells", width * len(rows), limits.cells)
    for r in rows:
        r.extend([("", True)] * (width - len(r)))  # a short row has no cells past its end
    return [r for r in rows if any(not merged for _, merged in r)]


class _Builder:
    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self.blocks: list[Block] = []
        self.lines: list[str] = []
        self.tables = 0

    def paragraph(self, text: str) -> None:
        for piece in text.split("\n"):
            piece = piece.replace("\u3000", " ").strip()
            if piece:
                self.lines.append(piece)
                self.blocks.append(Paragraph(piece, Location(line=len(self.lines))))

    def table(self, tbl: etree._Element) -> None:
        grid = _grid(tbl, self.limits)
        if not any(text for row in grid for text, _ in row):
            return
        if len(grid[0]) <= 1:
            # A one-column table is a frame around text (a boxed note, a layout table).
            for row in grid:
                for text, merged in row:
                    if not merged:
                        self.paragraph(text)
            return
        index = self.tables
        first_line = len(self.lines) + 1
        cells: list[tuple[Cell, ...]] = []
        for r, row in enumerate(grid):
            self.lines.append(" | ".join(text for text, merged in row if not merged))
            line = len(self.lines)
            cells.append(
                tuple(
                    Cell(text, Location(line=line, table=index, row=r, cell=c), merged=m)
                    for c, (text, m) in enumerate(row)
                )
            )
        self.blocks.append(Table(rows=tuple(cells), loc=Location(line=first_line, table=index)))
        self.tables += 1


def _main_part(zf: zipfile.ZipFile) -> str:
    """The main document part, as the package relationships name it (``word/document.xml``)."""
    names = set(zf.namelist())
    if "_rels/.rels" in names:
        try:
            rels = etree.fromstring(zf.read("_rels/.rels"), etree.XMLParser(resolve_entities=False, no_network=True))
            for rel in rels:
                if str(rel.get("Type", "")).endswith(_OFFICE_DOCUMENT):
                    target = str(rel.get("Target", "")).lstrip("/")
                    if target in names:
                        return target
        except etree.XMLSyntaxError:
            pass
    if "word/document.xml" in names:
        return "word/document.xml"
    raise _corrupt("缺少正文 word/document.xml", "no word/document.xml part")


def _body_xml(data: bytes, limits: Limits) -> etree._Element:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            part = _main_part(zf)
            # The header's size bounds what zipfile will inflate (it stops there), so a zip bomb
            # is refused before a byte of it is unpacked.
            size = zf.getinfo(part).file_size
            if size > limits.unzipped_bytes:
                raise limit_error("unzipped_mb", size / (1024 * 1024), limits.unzipped_mb)
            xml = zf.read(part)
    except zipfile.BadZipFile:
        raise _corrupt("不是完整的 zip 包", "not a complete zip package") from None
    except (ReadError, MemoryError):  # MemoryError: over memory_mb, not a damaged file
        raise
    except Exception as exc:  # zlib errors, EOF, bad CRC … from a truncated or damaged member
        raise _corrupt(f"压缩内容无法解开：{type(exc).__name__}", f"cannot unpack: {type(exc).__name__}") from None
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError:
        raise _corrupt("正文 XML 不完整", "the document XML is incomplete") from None
    body = root.find(f"{{{W}}}body")
    if body is None:
        raise _corrupt("正文为空", "no document body")
    return body


def read(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read a .docx into a Document: body paragraphs and tables in document order."""
    body = _body_xml(data, limits)
    out = _Builder(limits)

    def walk(el: etree._Element) -> None:
        for child in el:
            if child.tag == _P:
                out.paragraph(_paragraph_text(child))
            elif child.tag == _TBL:
                out.table(child)
            elif child.tag in (_SDT, _SDT_CONTENT, _CUSTOM_XML):
                walk(child)

    walk(body)
    return Document(blocks=out.blocks, kind="docx", lines=out.lines, encoding=None)
