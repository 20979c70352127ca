"""What the year-over-year rules read from the corpus, and how their findings are stored.

:func:`year_reports` loads, for a set of agencies, every stored report that has a report of the
same agency a year before or after it — with only the cells and sections the rules ask for — as
:class:`gongkai.rules.year.YearReport`; the rules themselves never see the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from gongkai.rules.year.base import YearCell, YearFinding, YearReport, YearSection
from gongkai.store.db import Store
from gongkai.store.rows import finding_rows

# Reports of these agencies that take part in a pair of consecutive years.
_PAIRED_SQL = """
WITH r AS (
  SELECT id, agency_key, "year", "format" FROM reports
  WHERE status = 'ok' AND "year" IS NOT NULL AND agency_key IN (SELECT unnest(?))
)
SELECT DISTINCT r.id, r.agency_key, r."year", r."format" FROM r
JOIN r other ON other.agency_key = r.agency_key AND abs(other."year" - r."year") = 1
ORDER BY r.id
"""

# The cells: constant filters on the table and row keys, which DuckDB applies while it scans (a
# filter on an expression of both, or on the report alone, makes it read every row of every
# report); the value as text, which Python reads as the same Decimal several times faster than
# DuckDB hands over a DECIMAL(38,10). The exact (table, row) pairs are kept in Python.
_CELLS_SQL = """
SELECT report, table_key, row_key, column_key, CAST(value AS VARCHAR), line, page FROM "values"
WHERE table_key IN ({tables}) AND row_key IN ({rows}) AND NOT is_null AND NOT extra_row
  AND report IN (SELECT unnest(?))
"""

# The sections: which rows first (a scan of the report column only), then those rows by row id —
# asked for by report, DuckDB decodes the text of every section of the corpus. A dataset's views
# have no row ids: there the sections are asked for by report.
_SECTIONS_SQL = """
SELECT report, "key", title, text, line FROM sections
WHERE {where}
ORDER BY report, ordinal
"""
_BY_ROWID = "rowid IN (SELECT rowid FROM sections WHERE report IN (SELECT unnest(?)))"
_BY_REPORT = "report IN (SELECT unnest(?))"


def _literals(texts: Iterable[str]) -> str:
    return ", ".join("'" + t.replace("'", "''") + "'" for t in sorted(set(texts)))


def year_reports(
    store: Store, agency_keys: Sequence[str], cells: Sequence[tuple[str, str]], sections: bool
) -> list[YearReport]:
    """The reports of *agency_keys* that have a neighbour year, with the cells of the (table, row)
    pairs in *cells* and, if *sections*, their sections in order."""
    reports = {
        rid: YearReport(id=rid, agency_key=key, year=year, format=fmt)
        for rid, key, year, fmt in store.query(_PAIRED_SQL, [list(agency_keys)])
    }
    if not reports:
        return []
    ids = list(reports)
    if cells:
        wanted = set(cells)
        sql = _CELLS_SQL.format(tables=_literals(t for t, _ in wanted), rows=_literals(r for _, r in wanted))
        for rid, table, row, column, value, line, page in store.query(sql, [ids]):
            if (table, row) in wanted:
                number = Decimal(value) if value is not None else None
                reports[rid].cells[(table, row, column)] = YearCell(number, line, page)
    if sections:
        from gongkai.store.dataset import DatasetStore

        where = _BY_REPORT if isinstance(store, DatasetStore) else _BY_ROWID
        for rid, key, title, text, line in store.query(_SECTIONS_SQL.format(where=where), [ids]):
            reports[rid].sections.append(YearSection(key, title or "", text or "", line))
    return list(reports.values())


def year_finding_rows(found: Sequence[YearFinding]) -> list[tuple[Any, ...]]:
    """Rows for ``findings`` (origin 'year'), numbered per report in a stable order."""
    by_report: dict[int, list[YearFinding]] = {}
    for yf in found:
        by_report.setdefault(yf.report, []).append(yf)
    rows: list[tuple[Any, ...]] = []
    for report in sorted(by_report):
        items = sorted(by_report[report], key=lambda yf: (yf.finding.sort_key(), yf.related))
        dicts = [{**yf.finding.to_dict(), "related_report": yf.related} for yf in items]
        rows.extend(finding_rows(report, dicts, origin="year"))
    return rows
