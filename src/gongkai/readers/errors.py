"""Why a file could not be read, in words a clerk can act on (Chinese first, English available)."""

from __future__ import annotations


class ReadError(Exception):
    """A file that cannot be turned into a report. Carries a stable code and both languages.

    Codes: ``empty``, ``binary``, ``encoding``, ``too_large``, ``corrupt``, ``encrypted``,
    ``scanned`` (no text layer; OCR not available yet), ``unsupported`` (e.g. legacy .doc/.wps
    binaries), ``not_a_report``.
    """

    def __init__(self, code: str, message_zh: str, message_en: str, path: str = "") -> None:
        super().__init__(message_en)
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.path = path

    def with_path(self, path: str) -> ReadError:
        self.path = path
        return self

    def message(self, lang: str = "zh") -> str:
        return self.message_zh if lang == "zh" else self.message_en

    def __str__(self) -> str:
        return f"{self.path}: {self.message_zh}" if self.path else self.message_zh
