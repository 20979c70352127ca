"""Scraped or pasted text: decode, then one paragraph per line.

Tables flattened into text (cells joined by ``|`` or tabs, one cell per line, Markdown pipes) are
left as lines here; ``gongkai.layout`` rebuilds their grids.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from gongkai.document import Document, TextDocument
from gongkai.limits import DEFAULT_LIMITS, Limits
from gongkai.normalize import fold_radicals
from gongkai.readers.detect import utf16_without_bom
from gongkai.readers.errors import ReadError, limit_error

REPLACED_UTF8 = "utf-8 (replaced)"  # the encoding of text decoded with U+FFFD for undecodable bytes


def decode(data: bytes) -> tuple[str, str]:
    """Decode report text: BOMs, then UTF-8, then GB18030 (a superset of GBK/GB2312, what
    Chinese government sites serve), then whatever charset-normalizer finds."""
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
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    mostly = mostly_utf8(data)
    if mostly is not None:
        return mostly, REPLACED_UTF8
    try:
        text = data.decode("gb18030")
        if _mostly_cjk_or_ascii(text):
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is not None and best.encoding:
        return str(best), best.encoding
    raise ReadError(
        "encoding",
        "无法识别文件的文字编码：请另存为 UTF-8 或 GB18030 编码的文本后重试。",
        "Cannot tell the file's text encoding: save it as UTF-8 or GB18030 text and try again.",
    )


def mostly_utf8(data: bytes) -> str | None:
    """*data* as UTF-8 when it is UTF-8 but for a stray byte or two (a truncated character, a byte
    flipped in transit), the undecodable bytes as U+FFFD (F017); None when it is another encoding
    (GBK decoded as UTF-8 has a U+FFFD at nearly every character)."""
    text = data.decode("utf-8", errors="replace")
    return text if text.count("\ufffd") <= max(8, len(text) // 500) else None


_UNUSUAL_RE = re.compile(r"[^\x00-\x7f\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")


def _mostly_cjk_or_ascii(text: str) -> bool:
    """GB18030 decodes almost any bytes; real Chinese text is nearly all ASCII, CJK and CJK punctuation."""
    if not text:
        return True
    return len(_UNUSUAL_RE.findall(text)) / len(text) < 0.1


def read_text(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Document:
    text, encoding = decode(data)
    if len(text) > limits.text_chars:
        raise limit_error("text_chars", len(text), limits.text_chars)
    # UTF-8 bytes hold a radical (U+2E80–U+2FDF) only as E2 BA–BF …: a search of the bytes for
    # that is much quicker than one of the text for the characters
    radicals = encoding != "utf-8" or _RADICAL_UTF8_RE.search(data) is not None
    doc = document_from_text(text, kind="text", encoding=encoding, radicals=radicals)
    doc.header = crawler_header(doc.lines)
    return doc


_RADICAL_UTF8_RE = re.compile(rb"\xe2[\xba-\xbf]")


# A crawler's header block: ``标题: …`` ``发布时间: 2024-01-31 10:52`` ``原文链接: https://…`` …, up to a
# ``==== 正文 ====`` line. Its lines stay in the document (line numbers are kept); the sections stage
# sets them aside as page furniture.
HEADER_KEYS = ("标题", "发布时间", "发布日期", "文号", "发布机构", "来源", "栏目", "原文链接", "本地目录", "索引号")
_HEADER_LINE_RE = re.compile(rf"^\s*(?P<key>{'|'.join(HEADER_KEYS)})\s*[:：]\s*(?P<value>.*?)\s*$")
_BODY_MARK_RE = re.compile(r"^\s*=+\s*正文\s*=+\s*$")
_URL_RE = re.compile(r"https?://\S+")


def crawler_header(lines: list[str], max_lines: int = 20) -> dict[str, str]:
    """The crawler's header fields at the top of *lines* (empty when there is no such block)."""
    fields: dict[str, str] = {}
    for line in lines[:max_lines]:
        if "正文" in line and _BODY_MARK_RE.match(line):
            break
        m = _HEADER_LINE_RE.match(line) if ":" in line or "：" in line else None  # (a field has its colon)
        if m and m.group("key") not in fields:
            fields[m.group("key")] = m.group("value")
    if len(fields) < 2:  # one "标题:" line alone may be the report's own text
        return {}
    url = _URL_RE.search(fields.get("原文链接", ""))
    if url:
        fields["url"] = url.group(0)
    return fields


def is_header_line(text: str) -> bool:
    return bool(_HEADER_LINE_RE.match(text) or _BODY_MARK_RE.match(text))


def document_from_text(text: str, kind: str = "text", encoding: str | None = None, radicals: bool = True) -> Document:
    """*text* as a Document of lines. ``radicals=False``: the caller knows *text* holds no radical
    (:func:`fold_radicals` has nothing to fold)."""
    if radicals:
        text = fold_radicals(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    return TextDocument(None, kind, lines, encoding)  # one Paragraph per line, made when read
