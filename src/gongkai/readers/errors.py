"""Why a file could not be read, in words a clerk can act on (Chinese first, English available)."""

from __future__ import annotations

from gongkai.limits import WHAT, fmt


class ReadError(Exception):
    """A file that cannot be turned into a report. Carries a stable code and both languages.

    Codes: ``empty``, ``binary``, ``encoding``, ``too_large``, ``corrupt``, ``encrypted``,
    ``scanned`` (no text layer; OCR not available yet), ``unsupported`` (e.g. legacy .doc/.wps
    binaries), ``not_a_report``, ``limit`` (over a bound of :class:`gongkai.limits.Limits`),
    ``timeout`` and ``memory`` (the worker reading it was stopped), ``crashed``, ``internal``.
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


def limit_error(name: str, actual: float | None, limit: float) -> ReadError:
    """The ReadError for a file over the bound *name*: what, how much, and how to raise it."""
    zh, en, unit = WHAT[name]
    shown = fmt(limit)
    got = f"{fmt(actual)}{unit} > " if actual is not None else ""
    return ReadError(
        "limit",
        f"超过上限：{zh} {got}{shown}{unit}（{name}）。文件已跳过；如确为正常报告，"
        f"可用 --limit {name}=<更大的值> 提高上限。",
        f"Over a limit: {en} {got}{shown}{unit} ({name}). The file was set aside; if it is a genuine "
        f"report, raise the limit with --limit {name}=<larger value>.",
    )
