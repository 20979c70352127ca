"""Finding the files to read, and naming them.

Explicit paths are always read; folders are walked for the kinds of files reports are published
as (the kind is then decided from the content, not the name). A file name is shown and stored as
text: names that are not UTF-8 (GBK bytes from a zip made on Windows) are decoded as GB18030, so
that ``报告.txt`` reads as such and never stops a database or a terminal.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

REPORT_SUFFIXES = frozenset(
    {".txt", ".text", ".md", ".html", ".htm", ".shtml", ".xhtml", ".jsp", ".docx", ".doc", ".wps", ".pdf"}
)


def iter_report_files(paths: list[Path]) -> Iterator[Path]:
    for path in iter_report_paths(paths):
        yield Path(path)


def iter_report_paths(paths: list[Path]) -> Iterator[str]:
    """The report files under *paths* as strings, each once: a folder's in the order of their
    paths' parts (as :class:`Path` sorts them), found and sorted as strings — for 100,000 files
    the Path objects were tens of MB."""
    seen: set[str] = set()
    for path in paths:
        if path.is_dir():
            top = os.fspath(path)
            found: list[str] = []
            for folder, dirs, names in os.walk(top):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                for name in names:
                    if name.startswith(".") or os.path.splitext(name)[1].lower() not in REPORT_SUFFIXES:
                        continue
                    child = os.path.join(folder, name)
                    if os.path.isfile(child):
                        found.append(child)
            found.sort(key=_parts_order)
            for child in found:
                if child not in seen:
                    seen.add(child)
                    yield child
        else:
            text = os.fspath(path)
            if text not in seen:
                seen.add(text)
                yield text


def _parts_order(path: str) -> str:
    """A key that sorts paths as their parts do (the separator below every other character)."""
    return path.replace(os.sep, "\0")


def display_path(path: str | os.PathLike[str]) -> str:
    """*path* as valid Unicode text. Python keeps undecodable name bytes as lone surrogates
    (``\\udcb1``), which DuckDB, JSON and terminals refuse; decode those bytes as GB18030 (what
    Chinese Windows writes), or mark them with U+FFFD when even that fails."""
    text = os.fspath(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        raw = os.fsencode(text)
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")  # pragma: no cover - gb18030 decodes nearly anything


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file, read in pieces: the file may be larger than memory."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


__all__ = ["REPORT_SUFFIXES", "display_path", "file_sha256", "iter_report_files", "iter_report_paths"]
