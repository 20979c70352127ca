"""Web pages: the report as a CMS or Word's "save as web page" produced it.

Text outside tables becomes one :class:`Paragraph` per block (``<p>``, ``<div>``, ``<br>`` …) in
reading order; scripts and styles are dropped, everything else is kept (site furniture is filtered
later by the sections stage). Every data table becomes an exact grid: rowspan/colspan are resolved,
a grid position covered by a neighbour's span is ``Cell("", merged=True)``, a real empty cell
(``&nbsp;``) is ``Cell("", merged=False)``. A table holding other tables is page layout: its cells
are read as ordinary text, so the innermost data tables come out as tables of their own.

The small text helpers here (:func:`join_lines`, :func:`is_joinable`) are shared by the Word and
PDF readers.
"""

from __future__ import annotations

import codecs
import html as html_lib
import re
from collections.abc import Iterable

from lxml import etree

from gongkai.document import Block, Cell, Document, Location, Paragraph, Table
from gongkai.limits import DEFAULT_LIMITS, Limits
from gongkai.normalize import fold_radicals
from gongkai.readers.detect import utf16_without_bom
from gongkai.readers.errors import ReadError, limit_error
from gongkai.readers.text import decode as decode_text
from gongkai.readers.text import mostly_utf8

# ------------------------------------------------------------------------------------------------
# Text helpers shared by the readers


def is_joinable(ch: str) -> bool:
    """A character after or before which a line break is no word space: CJK ideographs (also
    Kangxi radicals and compatibility ideographs), CJK and full-width punctuation, Chinese quotes."""
    o = ord(ch)
    if o == 0x3000:
        return False
    return (
        0x2E80 <= o <= 0x9FFF
        or 0xF900 <= o <= 0xFAFF
        or 0xFE30 <= o <= 0xFE4F
        or 0xFF00 <= o <= 0xFFEF
        or 0x20000 <= o <= 0x3FFFF
        or ch in "“”‘’—…·"
    )


def join_lines(parts: Iterable[str]) -> str:
    """Join the lines of one cell or paragraph: no space where both sides are CJK (``商业`` +
    ``企业`` → ``商业企业``), one space otherwise."""
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out and not (is_joinable(out[-1]) and is_joinable(part[0])):
            out += " "
        out += part
    return out


_CJK_CLASS = r"[\u2e80-\u2fff\u3001-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’]"
_SPACED_CJK_RE = re.compile(rf"(?<={_CJK_CLASS}) (?={_CJK_CLASS})")


def join_spaced_cjk(text: str) -> str:
    """``邮 编 ：`` → ``邮编：``: a single space between two CJK characters is spacing, not a word
    break (PDFs and justified text produce it)."""
    return _SPACED_CJK_RE.sub("", text)


_WS_RE = re.compile(r"[ \t\r\n\f\v\xa0\u3000]+")
_INVISIBLE_RE = re.compile(r"[\u200b\u200c\u200d\ufeff\u00ad]")


def collapse_ws(text: str) -> str:
    """HTML whitespace: runs collapse to one space; a run holding a line break between two CJK
    characters disappears (Word wraps its HTML source in the middle of Chinese text)."""
    text = _INVISIBLE_RE.sub("", text)

    def repl(m: re.Match[str]) -> str:
        run = m.group(0)
        if "\n" in run or "\r" in run:
            start, end = m.span()
            before = text[start - 1] if start > 0 else ""
            after = text[end] if end < len(text) else ""
            if before and after and is_joinable(before) and is_joinable(after):
                return ""
        return " "

    return _WS_RE.sub(repl, text).strip()


# ------------------------------------------------------------------------------------------------
# Decoding

_META_CHARSET_RE = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_XML_DECL_RE = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_GB_FAMILY = {
    "gb2312",
    "gbk",
    "x-gbk",
    "gb_2312-80",
    "cp936",
    "windows-936",
    "ms936",
    "csgb2312",
    "gb18030",
    "euc-cn",
}


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares (``<meta charset>``, ``http-equiv`` or an XML declaration)."""
    head = data[:8192]
    m = _XML_DECL_RE.search(head) or _META_CHARSET_RE.search(head)
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore").lower()
    if name in _GB_FAMILY:
        return "gb18030"  # a superset of GB2312 and GBK: sites declare one and use the other
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(data: bytes) -> tuple[str, str]:
    """BOM, then the declared charset, then UTF-8, then GB18030 (then charset detection)."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(enc), enc
    utf16 = utf16_without_bom(data[:4096])
    if utf16 is not None:
        return data.decode(utf16, errors="replace"), utf16
    declared = declared_charset(data)
    if declared is not None:
        if declared == "gb18030" and not data.isascii():
            # A page declaring GBK whose bytes are valid UTF-8 is mislabelled: GBK text is
            # practically never valid UTF-8, so trust the bytes.
            try:
                return data.decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                pass
        try:
            return data.decode(declared), declared
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if mostly_utf8(data) is not None:
        return decode_text(data)  # UTF-8 but for a stray byte: decoded with replacement (F017)
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return decode_text(data)
    if len(_UNLIKELY_RE.findall(text)) <= len(text) // 10:
        return text, "gb18030"
    return decode_text(data)


# Characters a Chinese page decoded with the right codec rarely has: most of GB18030's range
# beyond the common CJK block, Latin-1 letters and the like.
_UNLIKELY_RE = re.compile(r"[^\x00-\x7f\u00a0-\u00ff\u2000-\u206f\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")


# ------------------------------------------------------------------------------------------------
# Reading

_SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "title",
        "meta",
        "link",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "select",
        "option",
        "textarea",
        "button",
        "input",
        "canvas",
        "audio",
        "video",
        "map",
    }
)
_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "frameset",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "ul",
        "tr",
        "td",
        "th",
        "caption",
        "tbody",
        "thead",
        "tfoot",
        "body",
        "html",
        "legend",
        "table",
        "tt",
    }
)
_HIDDEN_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_MAX_SPAN = 1000
_LAYOUT_CELL_CHARS = 200  # a data cell of the national format holds at most ~40 characters


def _tag(el: etree._Element) -> str | None:
    tag = el.tag
    if not isinstance(tag, str):
        return None  # comment or processing instruction
    return tag  # libxml2's HTML parser gives lower-case names ("o:p" for Word's namespaced tags)


def _hidden(el: etree._Element) -> bool:
    attrib = el.attrib
    if not attrib:
        return False
    if "hidden" in attrib:
        return True
    style = attrib.get("style")
    return bool(style and ("none" in style or "hidden" in style) and _HIDDEN_RE.search(style))


def _span(value: str | None, default: int = 1) -> int:
    if not value:
        return default
    m = re.match(r"\s*(\d+)", value)
    if not m:
        return default
    return min(int(m.group(1)), _MAX_SPAN)


class _Builder:
    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self.cells = 0  # table cells so far, bounded by limits.cells
        self.blocks: list[Block] = []
        self.lines: list[str] = []
        self.parts: list[str] = []
        self.tables = 0

    # -- paragraphs
    def add(self, text: str | None) -> None:
        if text:
            self.parts.append(text)

    def flush(self) -> None:
        if not self.parts:
            return
        text = collapse_ws("".join(self.parts))
        self.parts = []
        if text:
            self.lines.append(text)
            self.blocks.append(Paragraph(text, Location(line=len(self.lines))))

    # -- tables
    def table(self, rows: list[list[tuple[str, bool]]]) -> None:
        self.flush()
        index = self.tables
        grid: list[tuple[Cell, ...]] = []
        first_line = len(self.lines) + 1
        for r, row in enumerate(rows):
            self.lines.append(" | ".join(text for text, merged in row if not merged))
            line = len(self.lines)
            grid.append(
                tuple(
                    Cell(text, Location(line=line, table=index, row=r, cell=c), merged=merged)
                    for c, (text, merged) in enumerate(row)
                )
            )
        self.blocks.append(Table(rows=tuple(grid), loc=Location(line=first_line, table=index)))
        self.tables += 1


def _walk(el: etree._Element, out: _Builder, pre: bool = False) -> None:
    tag = _tag(el)
    if tag is None or tag in _SKIP_TAGS or _hidden(el):
        return
    if tag == "br":
        out.flush()
        return
    if tag == "table":
        out.flush()
        _table(el, out)
        return
    block = tag in _BLOCK_TAGS
    pre = pre or tag in ("pre", "textarea", "listing", "plaintext")
    if block:
        out.flush()
    _text(el.text, out, pre)
    for child in el:
        _walk(child, out, pre)
        _text(child.tail, out, pre)
    if block:
        out.flush()


def _text(text: str | None, out: _Builder, pre: bool) -> None:
    if not text:
        return
    if not pre:
        out.add(text)
        return
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i:
            out.flush()
        out.add(line)


def _rows_of(table: etree._Element) -> list[etree._Element]:
    rows: list[etree._Element] = []
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(tr for tr in child if _tag(tr) == "tr")
    return [r for r in rows if not _hidden(r)]


def _cells_of(tr: etree._Element) -> list[etree._Element]:
    return [td for td in tr if _tag(td) in ("td", "th") and not _hidden(td)]


def cell_text(el: etree._Element) -> str:
    """A cell's text: its lines (``<br>``, ``<p>``) joined, without a space between CJK sides."""
    lines: list[str] = []
    parts: list[str] = []

    def flush() -> None:
        if parts:
            lines.append(collapse_ws("".join(parts)))
            parts.clear()

    def walk(node: etree._Element) -> None:
        tag = _tag(node)
        if tag is None or tag in _SKIP_TAGS or _hidden(node):
            return
        if tag == "br":
            flush()
            return
        block = tag in _BLOCK_TAGS
        if block:
            flush()
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            flush()

    if el.text:
        parts.append(el.text)
    for child in el:
        walk(child)
        if child.tail:
            parts.append(child.tail)
    flush()
    return join_lines(lines)


def _grid(table: etree._Element, limits: Limits = DEFAULT_LIMITS) -> list[list[tuple[str, bool]]] | None:
    """The table's exact grid as (text, merged) pairs, or None when it holds no text. Spans are
    capped at ``limits.span`` (browsers cap them too); a grid past ``limits.cells`` is refused."""
    trs = _rows_of(table)
    placed: dict[tuple[int, int], str] = {}
    covered: set[tuple[int, int]] = set()
    n = len(trs)
    for r, tr in enumerate(trs):
        c = 0
        for td in _cells_of(tr):
            while (r, c) in covered or (r, c) in placed:
                c += 1
            colspan = max(1, min(_span(td.get("colspan")), limits.span))
            rowspan = _span(td.get("rowspan"))
            if rowspan == 0:  # HTML: span to the end of the table section
                rowspan = n - r
            rowspan = max(1, min(rowspan, n - r, limits.span))
            if len(placed) + len(covered) + rowspan * colspan > limits.cells:
                raise limit_error("cells", None, limits.cells)
            placed[(r, c)] = cell_text(td)
            for dr in range(rowspan):
                for dc in range(colspan):
                    if dr or dc:
                        covered.add((r + dr, c + dc))
            c += colspan
    if not placed or not any(placed.values()):
        return None
    width = max(c for _, c in placed.keys() | covered) + 1
    grid: list[list[tuple[str, bool]]] = []
    for r in range(n):
        if not any((r, c) in placed for c in range(width)):
            continue  # a row wholly covered by spans from above holds nothing
        # Positions with no cell of their own (spanned, or past the end of a short row) are merged.
        grid.append([(placed[(r, c)], False) if (r, c) in placed else ("", True) for c in range(width)])
    return grid


def _is_layout(grid: list[list[tuple[str, bool]]]) -> bool:
    width = len(grid[0]) if grid else 0
    if width <= 1:
        return True
    return any(len(text) > _LAYOUT_CELL_CHARS for row in grid for text, _ in row)


def _table(el: etree._Element, out: _Builder) -> None:
    for child in el:
        if _tag(child) == "caption":
            _walk(child, out)
    nested = any(_tag(d) == "table" for d in el.iterdescendants())
    grid = None if nested else _grid(el, out.limits)
    if grid is not None:
        out.cells += len(grid) * len(grid[0])
        if out.cells > out.limits.cells:
            raise limit_error("cells", out.cells, out.limits.cells)
    if grid is None or _is_layout(grid):
        # Page layout (or an empty spacer): read its cells as text, nested tables as tables.
        for child in el:
            if _tag(child) != "caption":
                _walk(child, out)
                _text(child.tail, out, False)
        out.flush()
        return
    out.table(grid)


_XML_DECL_STR_RE = re.compile(r"^\s*<\?xml[^>]*\?>")


def read(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read an HTML page into a Document."""
    text, encoding = decode_html(data)
    text = fold_radicals(text)
    if len(text) > limits.text_chars * 4:  # markup included: a page is mostly tags
        raise limit_error("text_chars", len(text) // 4, limits.text_chars)
    text = _XML_DECL_STR_RE.sub("", text, count=1)
    if not text.strip():
        raise ReadError("empty", "网页为空：没有可读的内容。", "The web page is empty: nothing to read.")
    parser = etree.HTMLParser(remove_pis=True, no_network=True)  # one per page: its error log is the page's
    try:
        root = etree.fromstring(text, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ReadError(
            "corrupt",
            f"网页无法解析（{exc}）：请在浏览器中打开后另存为网页或复制文字后重试。",
            f"The web page cannot be parsed ({exc}): open it in a browser, save it again or copy its text.",
        ) from None
    if root is None:
        raise ReadError("empty", "网页为空：没有可读的内容。", "The web page is empty: nothing to read.")
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        # Nested deeper than any parser follows (a page of 100,000 <div>s): what is past the limit
        # would be lost, so read the page as text, its table cells joined by " | ".
        return _as_text(text, encoding, limits)
    out = _Builder(limits)
    body = root.find("body")
    _walk(body if body is not None else root, out)
    out.flush()
    if not out.blocks:
        raise ReadError(
            "empty",
            "网页中没有文字：正文可能是图片，或由脚本另行加载。请提供报告正文的网页、Word 或 PDF 文件。",
            "The web page holds no text: its content may be an image or loaded by a script. Provide the "
            "report's own page, a Word file or a PDF.",
        )
    return Document(blocks=out.blocks, kind="html", lines=out.lines, encoding=encoding, header=page_header(root))


_BREAK_TAGS_RE = re.compile(r"<\s*(?:br|/p|/div|/tr|/h[1-6]|/li|/table|/caption)\b[^>]*>", re.IGNORECASE)
_CELL_END_RE = re.compile(r"<\s*/t[dh]\s*>", re.IGNORECASE)
_SCRIPT_RE = re.compile(r"<\s*(script|style)\b.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]*>")


def _as_text(markup: str, encoding: str, limits: Limits) -> Document:
    """A page read as plain text: line breaks where blocks end, " | " between table cells."""
    from gongkai.readers.text import document_from_text

    body = _SCRIPT_RE.sub(" ", markup)
    body = _CELL_END_RE.sub(" | ", body)
    body = _BREAK_TAGS_RE.sub("\n", body)
    body = html_lib.unescape(_TAG_RE.sub("", body))
    lines = [collapse_ws(line) for line in body.split("\n")]
    doc = document_from_text("\n".join(line for line in lines if line), kind="html", encoding=encoding)
    if not doc.blocks:
        raise ReadError("empty", "网页中没有文字。", "The web page holds no text.")
    doc.warnings.append("网页嵌套过深，已按纯文字读取 / the page nests too deeply and was read as text")
    return doc


# The meta tags every Chinese government site carries (政府网站网页设计规范): the page's title, its
# publication time, the publishing body and the address; and the usual canonical / og:url.
_META_HEADER = {
    "articletitle": "标题",
    "pubdate": "发布时间",
    "publishdate": "发布时间",
    "firstpublishedtime": "发布时间",
    "contentsource": "发布机构",
    "url": "url",
    "og:url": "url",
    "og:title": "标题",
}


def page_header(root: etree._Element) -> dict[str, str]:
    """What the page says about itself in its <head>: title, 发布时间, 发布机构, address."""
    header: dict[str, str] = {}
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").strip().lower()
        content = (meta.get("content") or "").strip()
        key = _META_HEADER.get(name)
        if key and content and key not in header:
            header[key] = content
    for link in root.iter("link"):
        if (link.get("rel") or "").strip().lower() == "canonical" and link.get("href") and "url" not in header:
            header["url"] = link.get("href", "").strip()
    if "url" in header and not header["url"].startswith(("http://", "https://")):
        del header["url"]
    if "标题" not in header:
        title = root.find(".//title")
        if title is not None and title.text and title.text.strip():
            header["标题"] = collapse_ws(title.text)
    return header
