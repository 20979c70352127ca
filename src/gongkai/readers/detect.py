"""Tell the kind of a file from its bytes, never from its name (an .html that is a PDF, a .doc
that is HTML)."""

from __future__ import annotations

import io
import zipfile

_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or b > 13)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_TAGS = (b"<html", b"<!doctype html", b"<body", b"<table", b"<meta", b"<div", b"<p")


def detect_kind(data: bytes) -> str:
    """One of ``pdf``, ``docx``, ``html``, ``text``, ``ole`` (legacy Word/WPS binary), ``zip``
    (an archive that is not a Word document), ``binary``, ``empty``."""
    if not data.strip():
        return "empty"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    # (bytes.find, not `in`: `in` tries the bytes as an int first, an exception each time)
    if head.startswith(b"%PDF-") or data.find(b"%PDF-", 0, 1024) >= 0:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile:
            return "docx" if b"word/" in data[:4096] else "zip"
        return "docx" if "word/document.xml" in names else "zip"
    if data.startswith(OLE_MAGIC):
        return "ole"
    utf16 = utf16_without_bom(data[:4096])
    if utf16 is not None:
        head = data[:4096].decode(utf16, errors="replace").lstrip().encode("utf-8")
    lowered = head[:1024].lower()
    if any(lowered.find(tag) >= 0 for tag in _HTML_TAGS):
        return "html"
    if utf16 is None and looks_binary(data[:8192]):
        return "binary"
    return "text"


def utf16_without_bom(sample: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` for UTF-16 text that lacks its BOM (Windows tools write it):
    ASCII and CJK text in UTF-16 has a NUL in most high or low bytes, binary data has no such order."""
    if len(sample) < 8 or sample.startswith((b"\xff\xfe", b"\xfe\xff")) or sample.find(0) < 0:
        return None  # (without a NUL, neither half has the NULs UTF-16 text has)
    sample = sample[: len(sample) // 2 * 2]
    even, odd = sample[0::2], sample[1::2]
    half = len(sample) // 2
    if odd.count(0) > half * 0.3 and even.count(0) < half * 0.05:
        return "utf-16-le"
    if even.count(0) > half * 0.3 and odd.count(0) < half * 0.05:
        return "utf-16-be"
    return None


def looks_binary(sample: bytes) -> bool:
    """NUL bytes or many control characters: not text in any encoding reports use."""
    if sample.find(0) >= 0:
        # UTF-16 text has NULs too; it starts with a BOM in practice.
        return not (sample.startswith(b"\xff\xfe") or sample.startswith(b"\xfe\xff"))
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > max(8, len(sample) // 100)
