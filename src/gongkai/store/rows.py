"""A parsed report (or a failure) as the rows the store keeps. Runs in the ingest workers: only
plain Python values leave this module, so results pickle cheaply back to the writer, and it
imports neither DuckDB nor Arrow, so the workers stay small."""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gongkai import jsonout
from gongkai.model import Report, Row, TableData, value_fields
from gongkai.store.agency import agency_key, agency_norm
from gongkai.store.schema import parser_version


@dataclass(slots=True)
class ReportRows:
    """Everything stored for one file, as plain rows in the schema's column order."""

    id: int
    path: str
    sha256: str
    report: dict[str, Any]  # reports columns except ingested_at
    sections: list[tuple[Any, ...]] = field(default_factory=list)
    values: list[tuple[Any, ...]] = field(default_factory=list)
    findings: list[tuple[Any, ...]] = field(default_factory=list)
    check_error: str | None = None  # the checks crashed: stored, but its findings are incomplete
    # What the worker spent on the file, never stored: CPU seconds per stage (read, parse, check,
    # rows) and in all (cpu), the seconds it took (wall), the worker's peak memory in KiB (maxrss_kb).
    timings: dict[str, float] | None = None
    # sections, values and findings pickled (:meth:`pack`): a batch waiting to be written is held
    # as bytes, a tenth of the memory of the Python rows; :meth:`unpack` before they are read.
    packed: bytes | None = None

    @property
    def ok(self) -> bool:
        return self.report.get("status") == "ok"

    def pack(self) -> ReportRows:
        """Hold the sections, values and findings as one pickled string (in the worker, so that
        the parent receives bytes, not rows, until it writes them)."""
        if self.packed is None:
            self.packed = pickle.dumps((self.sections, self.values, self.findings), pickle.HIGHEST_PROTOCOL)
            self.sections, self.values, self.findings = [], [], []
        return self

    def unpack(self) -> ReportRows:
        if self.packed is not None:
            self.sections, self.values, self.findings = pickle.loads(self.packed)
            self.packed = None
        return self


FINDING_KEYS = ("code", "severity", "message", "message_en", "section", "table", "row", "column", "line", "page")


def report_id(sha256: str) -> int:
    """The report's id: the first 52 bits of its SHA-256. Positive and below 2**53, so it survives
    JSON, JavaScript and Excel (which keep numbers as doubles) exactly."""
    return int(sha256[:13], 16)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def ordered_rows(table: TableData) -> Iterator[Row]:
    """Format rows in the format's order with each agency-added row after the one it follows."""
    extras_after: dict[str | None, list[Row]] = {}
    for extra in table.extra_rows:
        after = extra.after if extra.after in table.rows else None
        extras_after.setdefault(after, []).append(extra)
    yield from extras_after.get(None, [])
    for key, row in table.rows.items():
        yield row
        yield from extras_after.get(key, [])


def _decimal(value: int | Decimal | None) -> int | Decimal | None:
    """A value for the DECIMAL column: a count stays a plain int (Arrow stores it as the same
    decimal; an int pickles in a few bytes and a Decimal as a class and a string, which cost the
    workers 0.17 ms a report to send), anything else a Decimal."""
    if value is None or type(value) is int or isinstance(value, Decimal):
        return value
    return Decimal(value)


def value_rows(rid: int, report: Report) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for table_key, table in report.tables.items():
        if not table.found:
            continue
        for order, row in enumerate(ordered_rows(table)):
            if not row.found and not row.extra:
                continue
            for column_key, value, raw, loc, unit, status, inferred_by in value_fields(row):
                out.append(
                    (
                        rid,
                        table_key,
                        row.key,
                        column_key,
                        _decimal(value),
                        value is None,
                        raw,
                        unit,
                        status,
                        inferred_by,
                        loc.line,
                        loc.table,
                        loc.row,
                        loc.cell,
                        loc.page,
                        row.extra,
                        row.label,
                        order,
                        row.after if row.extra else None,
                    )
                )
    return out


def finding_rows(
    rid: int, findings: Sequence[Mapping[str, Any]], origin: str = "report", related: int | None = None
) -> list[tuple[Any, ...]]:
    out = []
    for seq, f in enumerate(findings):
        figures = f.get("figures")
        out.append(
            (
                rid,
                seq,
                origin,
                *(f.get(k) for k in FINDING_KEYS),
                jsonout.dumps(figures) if figures is not None else None,
                f.get("note"),
                f.get("related_report", related),
            )
        )
    return out


def report_rows(report: Report, findings: Sequence[Mapping[str, Any]], path: str) -> ReportRows:
    rid = report_id(report.source.sha256)
    meta = report.meta
    region = meta.region
    row: dict[str, Any] = {
        "id": rid,
        "path": path,
        "sha256": report.source.sha256,
        "kind": report.source.kind,
        "size": report.source.size,
        "encoding": report.source.encoding,
        "parser_version": parser_version(),
        "status": "ok",
        "agency": meta.agency,
        "agency_norm": agency_norm(meta.agency),
        "agency_key": agency_key(meta.agency, region),
        "year": meta.year,
        "format": meta.format,
        "format_evidence": meta.format_evidence,
        "signed_on": meta.signed_on,
        "published_on": meta.published_on,
        "province": region.province if region else None,
        "city": region.city if region else None,
        "county": region.county if region else None,
        "region_code": region.code if region else None,
        "title": meta.title,
    }
    sections = [
        (rid, s.key, s.title, s.text, s.loc.line if s.loc else None, ordinal)
        for ordinal, s in enumerate(report.sections.values(), start=1)
    ]
    return ReportRows(
        id=rid,
        path=path,
        sha256=report.source.sha256,
        report=row,
        sections=sections,
        values=value_rows(rid, report),
        findings=finding_rows(rid, findings),
    )


def failed_rows(path: str, data: bytes | None, code: str, zh: str, en: str, sha256: str | None = None) -> ReportRows:
    sha = sha256 or sha256_of(data or b"")
    rid = report_id(sha)
    row = {
        "id": rid,
        "path": path,
        "sha256": sha,
        "size": len(data) if data is not None else None,
        "parser_version": parser_version(),
        "status": "failed",
        "error_code": code,
        "error_zh": zh,
        "error_en": en,
    }
    return ReportRows(id=rid, path=path, sha256=sha, report=row)


__all__ = [
    "ReportRows",
    "failed_rows",
    "finding_rows",
    "ordered_rows",
    "report_id",
    "report_rows",
    "sha256_of",
    "value_rows",
]
