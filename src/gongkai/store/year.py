"""What the year-over-year rules read from the corpus, and how their findings are stored.

:func:`year_reports` loads, for a set of agencies, every stored report that has a report of the
same agency a year before or after it — with only the cells and sections the rules ask for — as
:class:`gongkai.rules.year.YearReport`; the rules themselves never see the database.
"""

from __future__ import annotations

from collections.abc import Sequence
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

_CELLS_SQL = """
SELECT report, table_key, row_key, column_key, value, line, page FROM "values"
WHERE report IN (SELECT unnest(?)) AND NOT is_null AND NOT extra_row
  AND table_key || '.' || row_key IN (SELECT unnest(?))
"""

_SECTIONS_SQL = """
SELECT report, "key", title, text, line FROM sections
WHERE report IN (SELECT unnest(?))
ORDER BY report, ordinal
"""


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
        wanted = [f"{table}.{row}" for table, row in cells]
        for rid, table, row, column, value, line, page in store.query(_CELLS_SQL, [ids, wanted]):
            reports[rid].cells[(table, row, column)] = YearCell(value, line, page)
    if sections:
        for rid, key, title, text, line in store.query(_SECTIONS_SQL, [ids]):
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
