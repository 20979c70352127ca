"""Bounds on the work one file may cause: no input may cost a batch.

A hostile or broken file — a PDF whose content stream expands to 200 MB, a Word zip bomb, HTML
with ``colspan=1000`` — must end quickly with a message, never hang or exhaust memory. Each bound
has a name a user can raise from the command line (``--limit pages=1000`` on parse, check,
ingest and serve), and the message of a file over a bound names it.

The readers enforce the structural bounds (``file_mb``, ``text_chars``, ``unzipped_mb``,
``pages``, ``cells``, ``span``); :mod:`gongkai.workers` enforces ``seconds`` and ``memory_mb``
by running each file in a worker process it can kill.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Limits:
    file_mb: float = 50  # bytes of one input file
    text_chars: int = 3_000_000  # characters of decoded text (a long real report has ~100,000)
    unzipped_mb: float = 200  # Word: bytes of the parts read, after decompression
    pages: int = 500  # PDF pages
    cells: int = 200_000  # table cells in one document, after spans are resolved
    span: int = 200  # rowspan / colspan of one HTML or Word cell
    seconds: float = 120  # wall-clock time to read, parse and check one file
    memory_mb: int = 2048  # address space of the worker process reading one file

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    def replace(self, **changes: Any) -> Limits:
        return dataclasses.replace(self, **changes)

    @classmethod
    def parse(cls, items: list[str] | None, base: Limits | None = None) -> Limits:
        """``["pages=1000", "seconds=30"]`` → Limits. Raises ValueError with a readable message."""
        limits = base or cls()
        if not items:
            return limits
        changes: dict[str, Any] = {}
        types = {f.name: f.type for f in dataclasses.fields(cls)}
        for item in items:
            name, sep, value = item.partition("=")
            name = name.strip().replace("-", "_")
            if not sep or name not in types:
                raise ValueError(
                    f"--limit 应为 名称=数值，名称为 {', '.join(cls.names())} 之一：{item!r} / "
                    f"--limit takes NAME=VALUE with NAME one of {', '.join(cls.names())}: {item!r}"
                )
            try:
                number = float(value) if types[name] in ("float", float) else int(value)
            except ValueError:
                raise ValueError(
                    f"--limit {name} 的值应为数字：{value!r} / --limit {name} needs a number: {value!r}"
                ) from None
            if number <= 0:
                raise ValueError(f"--limit {name} 的值应大于 0 / --limit {name} must be positive")
            changes[name] = number
        return limits.replace(**changes)

    @property
    def file_bytes(self) -> int:
        return int(self.file_mb * 1024 * 1024)

    @property
    def unzipped_bytes(self) -> int:
        return int(self.unzipped_mb * 1024 * 1024)


DEFAULT_LIMITS = Limits()

WHAT = {  # name → (Chinese, English, unit) for messages
    "file_mb": ("文件大小", "file size", "MB"),
    "text_chars": ("文字字数", "characters of text", ""),
    "unzipped_mb": ("解压后大小", "size after decompression", "MB"),
    "pages": ("PDF 页数", "PDF pages", ""),
    "cells": ("表格单元格数", "table cells", ""),
    "span": ("单元格跨行/跨列数", "cell row/column span", ""),
    "seconds": ("处理时间", "processing time", "s"),
    "memory_mb": ("内存", "memory", "MB"),
}


def fmt(n: float | None) -> str:
    """A bound or a measure for a message: ``5``, ``0.05``, ``250.2`` — never a bound rounded away
    (``--limit file_mb=0.05`` is not shown as 0.1)."""
    if n is None:
        return ""
    if float(n).is_integer():
        return str(int(n))
    text = f"{n:.2f}".rstrip("0").rstrip(".")
    return text if abs(n) >= 1 or float(text) == n else f"{n:.3g}"


__all__ = ["DEFAULT_LIMITS", "WHAT", "Limits", "fmt"]
