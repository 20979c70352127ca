"""Readers: bytes → :class:`gongkai.document.Document`.

The kind of a file is decided by its content (``detect_kind``). Every failure is a
:class:`ReadError` with a stable code and a message in Chinese and English.
"""

from __future__ import annotations

from collections.abc import Callable

from gongkai import faults
from gongkai.document import Document
from gongkai.limits import DEFAULT_LIMITS, Limits
from gongkai.readers.detect import detect_kind
from gongkai.readers.errors import ReadError, limit_error
from gongkai.readers.text import read_text

MAX_BYTES = DEFAULT_LIMITS.file_bytes  # a real report is well under 10 MB; past this we refuse politely

Reader = Callable[[bytes, Limits], Document]
_READERS: dict[str, Reader] = {"text": read_text}


def register_reader(kind: str, reader: Reader) -> None:
    _READERS[kind] = reader


def _load_optional_readers() -> None:
    # HTML, Word and PDF readers live in their own modules; imported lazily so that parsing
    # plain text never pays for lxml/pdfplumber start-up.
    import importlib

    for kind, module in (("html", "html"), ("docx", "docx"), ("pdf", "pdf")):
        if kind in _READERS:
            continue
        try:
            mod = importlib.import_module(f"gongkai.readers.{module}")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("gongkai.readers"):
                continue
            raise
        register_reader(kind, mod.read)


def read_bytes(data: bytes, path: str = "", limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read one file's bytes into a Document, or raise ReadError naming the file."""
    try:
        faults.inject("read", path)
        if len(data) > limits.file_bytes:
            raise limit_error("file_mb", len(data) / (1024 * 1024), limits.file_mb)
        kind = detect_kind(data)
        if kind == "empty":
            raise ReadError("empty", "文件为空：没有可读的内容。", "The file is empty: nothing to read.")
        if kind == "binary":
            raise ReadError(
                "binary",
                "不是文本、网页、Word 或 PDF 文件：无法读取，请提供报告的网页、Word、PDF 或文本。",
                "Not a text, HTML, Word or PDF file: provide the report as a web page, Word, PDF or text.",
            )
        if kind == "ole":
            raise ReadError(
                "unsupported",
                "旧版 Word/WPS 二进制文件（.doc/.wps）暂不支持：请另存为 .docx 或 PDF 后重试。",
                "Legacy Word/WPS binary (.doc/.wps) is not supported yet: save it as .docx or PDF and retry.",
            )
        if kind == "zip":
            raise ReadError(
                "unsupported",
                "压缩包或未知的 Office 文件：请解压后提供其中的报告文件。",
                "An archive or unknown Office file: extract it and provide the report inside.",
            )
        if kind not in _READERS:
            _load_optional_readers()
        reader = _READERS.get(kind)
        if reader is None:
            raise ReadError(
                "unsupported",
                f"暂不支持读取此类文件（{kind}）。",
                f"Reading this kind of file ({kind}) is not supported yet.",
            )
        return reader(data, limits)
    except ReadError as exc:
        raise exc.with_path(path) from None


__all__ = ["MAX_BYTES", "ReadError", "detect_kind", "read_bytes", "register_reader"]
