"""Scraped or pasted text: decode, then one paragraph per line.

Tables flattened into text (cells joined by ``|`` or tabs, one cell per line, Markdown pipes) are
left as lines here; ``gongkai.layout`` rebuilds their grids.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from gongkai.document import Document, Location, Paragraph
from gongkai.readers.errors import ReadError


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
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
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


_UNUSUAL_RE = re.compile(r"[^\x00-\x7f\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")


def _mostly_cjk_or_ascii(text: str) -> bool:
    """GB18030 decodes almost any bytes; real Chinese text is nearly all ASCII, CJK and CJK punctuation."""
    if not text:
        return True
    return len(_UNUSUAL_RE.findall(text)) / len(text) < 0.1


def read_text(data: bytes) -> Document:
    text, encoding = decode(data)
    return document_from_text(text, kind="text", encoding=encoding)


def document_from_text(text: str, kind: str = "text", encoding: str | None = None) -> Document:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks = [Paragraph(line, Location(line=i)) for i, line in enumerate(lines, start=1)]
    return Document(blocks=list(blocks), kind=kind, lines=lines, encoding=encoding)
