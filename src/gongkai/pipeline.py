"""The parse pipeline, one stage per module:

read (bytes → Document) → layout (flattened tables → grids) → sections → tables (grids → keys)
→ meta → Report. Pure functions from bytes to a Report; reading files is left to the callers.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from gongkai import faults
from gongkai.layout import rebuild_tables
from gongkai.limits import DEFAULT_LIMITS, Limits
from gongkai.meta import extract_meta
from gongkai.model import Report, Source
from gongkai.readers import ReadError, read_bytes
from gongkai.readers.errors import limit_error
from gongkai.sections import split_sections
from gongkai.tables import extract_tables

REQUIRED_EVIDENCE = 2  # a report must show at least this many of its sections or tables


def parse_bytes(
    data: bytes, path: str = "", limits: Limits = DEFAULT_LIMITS, timings: dict[str, float] | None = None
) -> Report:
    """Parse one report. Raises ReadError for a file that cannot be read or is no report. With
    *timings*, the CPU seconds spent reading (bytes → Document) and parsing (the rest) are added
    to its ``read`` and ``parse``."""
    # the CPU clock only when asked: a system call, not free (several µs; more on a busy machine)
    started = time.process_time() if timings is not None else 0.0
    doc = read_bytes(data, path, limits)
    read_done = 0.0
    if timings is not None:
        read_done = time.process_time()
        timings["read"] = timings.get("read", 0.0) + read_done - started
    faults.inject("parse", path)
    doc = rebuild_tables(doc)
    split = split_sections(doc)
    # The year is needed to pick a format when the table heads do not tell; it comes from the
    # title or the text, which do not depend on the tables.
    meta = extract_meta(split, split.sections, doc.header)
    extracted = extract_tables(doc, split.block_sections, meta.year)
    meta.format = extracted.format.id
    meta.format_evidence = extracted.format_evidence
    tables = extracted.tables
    evidence = len(split.sections) + sum(
        1 for t in tables.values() if t.found and any(r.found for r in t.rows.values())
    )
    if evidence < REQUIRED_EVIDENCE:
        raise ReadError(
            "not_a_report",
            "不是政府信息公开工作年度报告：找不到报告的章节和统计表。请确认文件内容。",
            "Not a government information disclosure annual report: none of its sections or tables were found.",
            path,
        )
    source = Source(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        kind=doc.kind,
        size=len(data),
        encoding=doc.encoding,
        url=doc.header.get("url"),
    )
    report = Report(
        source=source,
        meta=meta,
        sections=split.sections,
        tables=tables,
        document=doc,
        notes=list(doc.warnings),
    )
    if timings is not None:
        timings["parse"] = timings.get("parse", 0.0) + time.process_time() - read_done
    return report


def parse_path(path: str | Path, limits: Limits = DEFAULT_LIMITS, timings: dict[str, float] | None = None) -> Report:
    """:func:`parse_bytes` of a file; with *timings*, reading the file counts as ``read``."""
    p = Path(path)
    started = time.process_time()
    try:
        size = p.stat().st_size
        if size > limits.file_bytes:  # refuse before reading: the file may be larger than memory
            raise limit_error("file_mb", size / (1024 * 1024), limits.file_mb).with_path(str(path))
        data = p.read_bytes()
    except OSError as exc:
        raise ReadError(
            "io",
            f"无法读取文件：{exc.strerror or exc}。请检查路径和权限。",
            f"Cannot read the file: {exc.strerror or exc}. Check the path and permissions.",
            str(path),
        ) from None
    if timings is not None:
        timings["read"] = timings.get("read", 0.0) + time.process_time() - started
    return parse_bytes(data, str(path), limits, timings)
