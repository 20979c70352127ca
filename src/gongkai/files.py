"""Finding the files to read: explicit paths are always read; folders are walked for the kinds of
files reports are published as (the kind is then decided from the content, not the name)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

REPORT_SUFFIXES = frozenset(
    {".txt", ".text", ".md", ".html", ".htm", ".shtml", ".xhtml", ".jsp", ".docx", ".doc", ".wps", ".pdf"}
)


def iter_report_files(paths: list[Path]) -> Iterator[Path]:
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                wanted = child.suffix.lower() in REPORT_SUFFIXES
                if child.is_file() and wanted and not hidden and child not in seen:
                    seen.add(child)
                    yield child
        elif path not in seen:
            seen.add(path)
            yield path
