"""One report (its row, sections, values, neighbours), lists of reports, and facts about the
corpus as a whole (years, paths, counts by status)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from gongkai.store.queries.base import Connection, column, fetch, fetch_one, scalar, select_list
from gongkai.store.queries.findings import FindingFilter
from gongkai.store.schema import TABLES


@dataclass(frozen=True, slots=True)
class ReportRow:
    """A ``reports`` row, every column (docs/schema.md)."""

    id: int
    path: str
    sha256: str
    kind: str | None
    size: int | None
    encoding: str | None
    parser_version: str
    status: str
    error_code: str | None
    error_zh: str | None
    error_en: str | None
    agency: str | None
    agency_norm: str | None
    agency_key: str | None
    year: int | None
    format: str | None
    format_evidence: str | None
    signed_on: dt.date | None
    published_on: dt.date | None
    province: str | None
    city: str | None
    county: str | None
    region_code: str | None
    title: str | None
    ingested_at: dt.datetime
    first_ingested_at: dt.datetime | None
    superseded_by: int | None


@dataclass(frozen=True, slots=True)
class SectionRow:
    key: str
    title: str | None
    text: str | None
    line: int | None
    ordinal: int


@dataclass(frozen=True, slots=True)
class ValueRow:
    """A ``values`` row, every column (docs/schema.md)."""

    report: int
    table_key: str
    row_key: str
    column_key: str
    value: Decimal | None
    is_null: bool
    raw: str | None
    unit: str | None
    status: str | None
    inferred_by: str | None
    line: int | None
    table_index: int | None
    row_index: int | None
    cell_index: int | None
    page: int | None
    extra_row: bool
    row_label: str | None
    row_order: int
    after_row: str | None


@dataclass(frozen=True, slots=True)
class ReportName:
    id: int
    year: int | None
    agency: str | None


@dataclass(frozen=True, slots=True)
class AgencyReportRef:
    """Another report of the same agency."""

    id: int
    year: int | None
    agency: str | None
    status: str


@dataclass(frozen=True, slots=True)
class ReportListing:
    """A report on a list, with how many findings of each severity it has."""

    id: int
    path: str
    sha256: str
    kind: str | None
    status: str
    error_code: str | None
    agency: str | None
    agency_key: str | None
    year: int | None
    format: str | None
    province: str | None
    city: str | None
    county: str | None
    region_code: str | None
    signed_on: dt.date | None
    published_on: dt.date | None
    title: str | None
    errors: int
    warnings: int
    infos: int


@dataclass(frozen=True, slots=True)
class FailedReport:
    id: int
    path: str
    error_code: str | None
    error_zh: str | None
    error_en: str | None


@dataclass(frozen=True, slots=True)
class StatusCount:
    status: str
    reports: int


def report(con: Connection, report_id: int) -> ReportRow | None:
    return fetch_one(con, ReportRow, f"SELECT {select_list(ReportRow)} FROM reports WHERE id = ?", [report_id])


def report_name(con: Connection, report_id: int) -> ReportName | None:
    return fetch_one(con, ReportName, 'SELECT id, "year", agency FROM reports WHERE id = ?', [report_id])


def report_names(con: Connection, report_ids: Sequence[int]) -> list[ReportName]:
    if not report_ids:
        return []
    return fetch(
        con, ReportName, 'SELECT id, "year", agency FROM reports WHERE id IN (SELECT unnest(?))', [list(report_ids)]
    )


def is_stored(con: Connection, report_id: int) -> bool:
    """Whether report *report_id* is stored and parsed (status ok, or superseded by a newer version)."""
    return bool(
        scalar(con, "SELECT count(*) FROM reports WHERE id = ? AND status IN ('ok', 'superseded')", [report_id])
    )


def report_path(con: Connection, report_id: int) -> str | None:
    """Where the report's file was read from (as stored)."""
    path = scalar(con, "SELECT path FROM reports WHERE id = ?", [report_id])
    return str(path) if path is not None else None


def report_paths(con: Connection) -> list[str]:
    """Every path stored (once each)."""
    return [str(p) for p in column(con, "SELECT DISTINCT path FROM reports") if p is not None]


def sections(con: Connection, report_id: int) -> list[SectionRow]:
    return fetch(
        con,
        SectionRow,
        'SELECT "key", title, text, line, ordinal FROM sections WHERE report = ? ORDER BY ordinal',
        [report_id],
    )


def values(con: Connection, report_id: int) -> list[ValueRow]:
    """The report's cells, table by table, in row order."""
    return fetch(
        con,
        ValueRow,
        f'SELECT {select_list(ValueRow)} FROM "values" WHERE report = ? ORDER BY table_key, row_order, column_key',
        [report_id],
    )


def other_reports(con: Connection, agency_key: str, report_id: int) -> list[AgencyReportRef]:
    """The agency's reports other than *report_id*, by year: the current version of each year
    (earlier versions are :func:`versions`)."""
    return fetch(
        con,
        AgencyReportRef,
        """SELECT id, "year", agency, status FROM reports WHERE agency_key = ? AND id <> ? AND status <> 'superseded'
        ORDER BY "year", id""",
        [agency_key, report_id],
    )


@dataclass(frozen=True, slots=True)
class VersionRow:
    """A version of an agency's report for a year (``v_report_versions``)."""

    report: int
    version: int
    versions: int
    status: str
    superseded_by: int | None
    current_report: int | None
    published_on: dt.date | None
    first_ingested_at: dt.datetime | None
    path: str
    title: str | None


def versions(con: Connection, report_id: int) -> list[VersionRow]:
    """Every version of the agency's report for the year of *report_id*, in the order stored
    (none when it has no agency key or year)."""
    return fetch(
        con,
        VersionRow,
        """SELECT v.report, v.version, v.versions, v.status, v.superseded_by, v.current_report, v.published_on,
          v.first_ingested_at, r.path, r.title
        FROM v_report_versions v JOIN reports r ON r.id = v.report
        WHERE (v.agency_key, v."year") = (SELECT (agency_key, "year") FROM reports WHERE id = ?)
        ORDER BY v.version""",
        [report_id],
    )


def current_version(con: Connection, agency_key: str | None, year: int | None) -> ReportName | None:
    """The current version of the agency's report for *year*, if the corpus has one."""
    if not agency_key or year is None:
        return None
    return fetch_one(
        con,
        ReportName,
        """SELECT id, "year", agency FROM reports WHERE agency_key = ? AND "year" = ? AND status = 'ok'
        ORDER BY id DESC LIMIT 1""",
        [agency_key, year],
    )


def superseded_versions(con: Connection, report_id: int) -> list[ReportName]:
    """The versions *report_id* superseded directly."""
    return fetch(
        con, ReportName, 'SELECT id, "year", agency FROM reports WHERE superseded_by = ? ORDER BY id', [report_id]
    )


def years(con: Connection) -> list[int]:
    """Every report year in the corpus, latest first."""
    return [int(y) for y in column(con, 'SELECT DISTINCT "year" FROM reports WHERE "year" IS NOT NULL ORDER BY 1 DESC')]


def _listing_where(flt: FindingFilter, status: str) -> tuple[str, list[object]]:
    if status == "failed":  # the failed files, whatever else is asked
        return FindingFilter().where(with_findings=False, status="failed")
    return flt.where(with_findings=False, status=None if status == "all" else "ok")


def count_reports(con: Connection, flt: FindingFilter, status: str = "ok") -> int:
    """How many reports *flt* selects; *status* ok, failed (every failed file) or all."""
    where, params = _listing_where(flt, status)
    return int(scalar(con, f"SELECT count(*) FROM reports r WHERE {where}", params))


def list_reports(con: Connection, flt: FindingFilter, status: str, limit: int, offset: int) -> list[ReportListing]:
    """A page of the reports *flt* selects (see :func:`count_reports`), by agency and year."""
    where, params = _listing_where(flt, status)
    return fetch(
        con,
        ReportListing,
        f"""SELECT r.id, r.path, r.sha256, r.kind, r.status, r.error_code, r.agency, r.agency_key, r."year",
          r."format", r.province, r.city, r.county, r.region_code, r.signed_on, r.published_on, r.title,
          (SELECT count(*) FROM findings f WHERE f.report = r.id AND f.severity = 'error') AS errors,
          (SELECT count(*) FROM findings f WHERE f.report = r.id AND f.severity = 'warning') AS warnings,
          (SELECT count(*) FROM findings f WHERE f.report = r.id AND f.severity = 'info') AS infos
        FROM reports r WHERE {where} ORDER BY r.agency, r."year", r.id LIMIT ? OFFSET ?""",
        [*params, limit, offset],
    )


def failed_reports(con: Connection, limit: int) -> list[FailedReport]:
    """The files that could not be read as reports, latest first."""
    return fetch(
        con,
        FailedReport,
        "SELECT id, path, error_code, error_zh, error_en FROM reports WHERE status = 'failed'"
        " ORDER BY ingested_at DESC, path LIMIT ?",
        [limit],
    )


def status_counts(con: Connection) -> list[StatusCount]:
    """How many files are stored per status (ok, failed)."""
    return fetch(con, StatusCount, "SELECT status, count(*) AS reports FROM reports GROUP BY status")


def scan(con: Connection, table: str) -> None:
    """Read every column of every row of *table* (one of the store's tables): a damaged file
    fails here (duckdb.Error) rather than on a page."""
    if table not in {t.name for t in TABLES}:
        raise ValueError(table)
    scalar(con, f'SELECT count(*) FROM (SELECT * FROM "{table}") WHERE hash(COLUMNS(*)) = 0')


__all__ = [
    "AgencyReportRef",
    "FailedReport",
    "ReportListing",
    "ReportName",
    "ReportRow",
    "SectionRow",
    "StatusCount",
    "ValueRow",
    "VersionRow",
    "count_reports",
    "current_version",
    "failed_reports",
    "is_stored",
    "list_reports",
    "other_reports",
    "report",
    "report_name",
    "report_names",
    "report_path",
    "report_paths",
    "scan",
    "sections",
    "status_counts",
    "superseded_versions",
    "values",
    "versions",
    "years",
]
