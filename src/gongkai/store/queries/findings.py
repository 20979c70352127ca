"""Findings with their report and the review decision in force, and the problems list's filter.

A finding's decision is the latest row of ``decisions`` with its key (``decisions_latest``): the
report's SHA-256, the rule code and the finding's place. "reopened" counts as undecided.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gongkai.normalize import fold
from gongkai.store.queries.base import Connection, fetch, scalar

SEVERITY_ORDER = "CASE f.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END"

# Join a findings row ``f`` of a report ``r`` to its decision ``d`` (a LEFT JOIN condition).
DECISION_JOIN = """d.sha256 = r.sha256 AND d.code = f.code
  AND d.section = coalesce(f.section, '') AND d.table_key = coalesce(f."table", '')
  AND d.row_key = coalesce(f."row", '') AND d.column_key = coalesce(f."column", '')
  AND d.line = coalesce(f.line, 0)"""

# The decision in force for a finding: NULL while undecided ("reopened" counts as undecided).
DECISION_STATE = "CASE WHEN d.decision IN ('confirmed', 'dismissed') THEN d.decision END"

FINDING_COLUMNS = """f.report, f.seq, f.origin, f.code, f.severity, f.message, f.message_en, f.section,
  f."table", f."row", f."column", f.line, f.page, f.figures, f.note, f.related_report,
  r.sha256, r.agency, r.agency_key, r."year", r.province, r.city, r.county, r.region_code, r.path,
  d.decision AS decision, d.comment AS decision_comment, d.reviewer AS decision_reviewer,
  d.decided_at AS decided_at"""

FINDINGS_FROM = f"""findings f JOIN reports r ON r.id = f.report
LEFT JOIN decisions_latest d ON {DECISION_JOIN}"""

# An agency's group on the problems list: its key, or the report alone when it has none.
GROUP_KEY = "coalesce(r.agency_key, '#' || CAST(r.id AS VARCHAR))"


@dataclass(frozen=True, slots=True)
class FindingRow:
    """A ``findings`` row with its report's place and the decision in force (raw: ``decision``
    may be "reopened"; ``figures`` is JSON text)."""

    report: int
    seq: int
    origin: str
    code: str
    severity: str
    message: str | None
    message_en: str | None
    section: str | None
    table: str | None
    row: str | None
    column: str | None
    line: int | None
    page: int | None
    figures: str | None
    note: str | None
    related_report: int | None
    sha256: str
    agency: str | None
    agency_key: str | None
    year: int | None
    province: str | None
    city: str | None
    county: str | None
    region_code: str | None
    path: str
    decision: str | None
    decision_comment: str | None
    decision_reviewer: str | None
    decided_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class GroupedFinding:
    """A finding on the problems list, with the key of the agency group it is shown in."""

    finding: FindingRow
    group_key: str


@dataclass(frozen=True, slots=True)
class FindingCounts:
    """How many findings a report has, by severity, and how many are dismissed."""

    report: int
    errors: int
    warnings: int
    infos: int
    dismissed: int


@dataclass(frozen=True, slots=True)
class CodeCount:
    code: str
    findings: int


@dataclass(frozen=True, slots=True)
class FindingFilter:
    """Which reports and findings a list shows. Empty fields do not filter. *region* is a
    division code prefix (420000 / 4202 / 420203) or a name; *code* a rule code or a prefix
    (B, F00); *decision* open (not dismissed), undecided, confirmed, dismissed or all; *q* a
    substring of the agency, county, city or title."""

    province: str = ""
    city: str = ""
    county: str = ""
    region: str = ""
    year: int | None = None
    code: str = ""
    severity: str = ""
    decision: str = "open"
    q: str = ""

    def where(self, *, with_findings: bool = True, status: str | None = "ok") -> tuple[str, list[Any]]:
        """SQL over ``reports r`` (and, *with_findings*, ``findings f`` joined to
        ``decisions_latest d``), with its parameters. *status* None: reports of any status but
        superseded (an earlier version of an agency's report for a year is history, shown on its
        own page only)."""
        sql = [f"r.status = '{status}'" if status in ("ok", "failed") else "r.status <> 'superseded'"]
        params: list[Any] = []
        for name in ("province", "city", "county"):
            value = getattr(self, name)
            if value:
                sql.append(f"r.{name} = ?")
                params.append(value)
        if self.region:
            prefix = region_prefix(self.region)
            sql.append("r.region_code LIKE ?")
            params.append((prefix or "\x00") + "%")
        if self.year is not None:
            sql.append('r."year" = ?')
            params.append(self.year)
        if self.q:
            # one substring search over the names (ILIKE on five columns is several times slower)
            sql.append(
                "(contains(lower(concat_ws('|', r.agency, r.agency_norm, r.county, r.city, r.title)), ?)"
                " OR contains(lower(concat_ws('|', r.agency, r.agency_norm, r.county, r.city, r.title)), ?))"
            )
            params.extend([self.q.lower(), fold(self.q).lower()])
        if with_findings:
            if self.code:
                sql.append("f.code LIKE ? ESCAPE '\\'")
                params.append(_escape_like(self.code.upper()) + "%")
            if self.severity:
                sql.append("f.severity = ?")
                params.append(self.severity)
            state = DECISION_STATE
            if self.decision == "open":
                sql.append(f"({state} IS NULL OR {state} = 'confirmed')")
            elif self.decision == "undecided":
                sql.append(f"{state} IS NULL")
            elif self.decision in ("confirmed", "dismissed"):
                sql.append(f"{state} = ?")
                params.append(self.decision)
        return " AND ".join(sql), params


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def region_prefix(text: str) -> str | None:
    """The division-code prefix of a region given by code or name (None when unknown)."""
    from gongkai.store.regions import RegionNotFound, parse_region

    try:
        return parse_region(text).prefix
    except RegionNotFound:
        return None


def _findings(con: Connection, where: str, params: Sequence[Any], order: str, tail: str = "") -> list[FindingRow]:
    return fetch(
        con, FindingRow, f"SELECT {FINDING_COLUMNS} FROM {FINDINGS_FROM} WHERE {where} ORDER BY {order}{tail}", params
    )


def report_findings(con: Connection, report: int) -> list[FindingRow]:
    """A report's findings, worst first, in the order they were found."""
    return _findings(con, "f.report = ?", [report], f"{SEVERITY_ORDER}, f.origin, f.seq")


def reports_findings(con: Connection, reports: Sequence[int]) -> list[FindingRow]:
    """The findings of several reports (an agency's): latest year first, then report by report."""
    return _findings(
        con,
        "f.report IN (SELECT unnest(?))",
        [list(reports)],
        f'r."year" DESC, f.report, {SEVERITY_ORDER}, f.origin, f.seq',
    )


def count_findings(con: Connection, flt: FindingFilter) -> int:
    where, params = flt.where()
    return int(scalar(con, f"SELECT count(*) FROM {FINDINGS_FROM} WHERE {where}", params))


def filtered_findings(con: Connection, flt: FindingFilter, limit: int, offset: int = 0) -> list[FindingRow]:
    """A page of the findings *flt* selects: worst first, then by agency, year and report."""
    where, params = flt.where()
    return _findings(
        con,
        where,
        [*params, limit, offset],
        f'{SEVERITY_ORDER}, r.agency, r."year", f.report, f.origin, f.seq',
        " LIMIT ? OFFSET ?",
    )


def findings_by_agency(con: Connection, flt: FindingFilter, limit: int) -> list[FindingRow]:
    """The findings *flt* selects (at most *limit*), by agency, year, then worst first: a download."""
    where, params = flt.where()
    return _findings(con, where, [*params, limit], f'r.agency, r."year", {SEVERITY_ORDER}, f.origin, f.seq', " LIMIT ?")


def findings_of_groups(
    con: Connection, flt: FindingFilter, group_keys: Sequence[str], per_group: int
) -> list[GroupedFinding]:
    """The first *per_group* findings *flt* selects in each agency group of *group_keys* (see
    :func:`gongkai.store.queries.index.agency_groups`), worst first, latest year first."""
    where, params = flt.where()
    order = f'{SEVERITY_ORDER}, r."year" DESC, f.report, f.origin, f.seq'
    # The page's reports first (a few hundred of thousands), then their findings.
    cur = con.execute(
        f"""SELECT {FINDING_COLUMNS}, {GROUP_KEY} AS group_key
        FROM {FINDINGS_FROM}
        WHERE {where} AND f.report IN (
          SELECT r.id FROM reports r WHERE {GROUP_KEY} IN (SELECT unnest(?)))
        QUALIFY row_number() OVER (PARTITION BY {GROUP_KEY} ORDER BY {order}) <= ?
        ORDER BY {order}""",
        [*params, list(group_keys), per_group],
    )
    return [GroupedFinding(FindingRow(*row[:-1]), row[-1]) for row in cur.fetchall()]


def finding_counts(con: Connection, reports: Sequence[int]) -> list[FindingCounts]:
    """Per report of *reports* that has findings: errors, warnings, notes, dismissed."""
    return fetch(
        con,
        FindingCounts,
        f"""SELECT f.report, count(*) FILTER (WHERE f.severity = 'error') AS errors,
            count(*) FILTER (WHERE f.severity = 'warning') AS warnings,
            count(*) FILTER (WHERE f.severity = 'info') AS infos,
            count(*) FILTER (WHERE d.decision = 'dismissed') AS dismissed
        FROM {FINDINGS_FROM} WHERE f.report IN (SELECT unnest(?)) GROUP BY f.report""",
        [list(reports)],
    )


def code_counts(con: Connection) -> list[CodeCount]:
    """How many findings each rule code has in the corpus (codes with none are not listed)."""
    return fetch(con, CodeCount, "SELECT code, count(*) AS findings FROM findings GROUP BY 1")


def finding_exists(
    con: Connection, report: int, code: str, section: str, table: str, row: str, col: str, line: int
) -> bool:
    """Whether report *report* has a finding of *code* at that place (absent parts as '' and 0)."""
    n = scalar(
        con,
        """SELECT count(*) FROM findings f JOIN reports r ON r.id = f.report
        WHERE f.report = ? AND f.code = ? AND coalesce(f.section, '') = ? AND coalesce(f."table", '') = ?
          AND coalesce(f."row", '') = ? AND coalesce(f."column", '') = ? AND coalesce(f.line, 0) = ?""",
        [report, code, section, table, row, col, line],
    )
    return bool(n)


__all__ = [
    "DECISION_JOIN",
    "DECISION_STATE",
    "FINDINGS_FROM",
    "FINDING_COLUMNS",
    "GROUP_KEY",
    "SEVERITY_ORDER",
    "CodeCount",
    "FindingCounts",
    "FindingFilter",
    "FindingRow",
    "GroupedFinding",
    "code_counts",
    "count_findings",
    "filtered_findings",
    "finding_counts",
    "finding_exists",
    "findings_by_agency",
    "findings_of_groups",
    "region_prefix",
    "report_findings",
    "reports_findings",
]
