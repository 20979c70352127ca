"""What the year-over-year rules share: pairs of consecutive reports of one agency, and how their
findings become rows of the ``findings`` table."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from gongkai.document import Location
from gongkai.formats import SECTION_KEYS, load_format
from gongkai.rules.base import Context, Finding, Place, Rule

if TYPE_CHECKING:
    from gongkai.store.db import Store


@dataclass(frozen=True, slots=True)
class YearFinding:
    report: int  # the later report, where the finding is stored
    related: int  # the earlier report it was compared with
    finding: Finding


# A pair: this year's report and the same agency's report of the year before.
PAIRS_SQL = """
WITH r AS (
  SELECT id, agency_key, "year", "format" FROM reports
  WHERE status = 'ok' AND "year" IS NOT NULL AND agency_key IN (SELECT unnest($keys))
)
SELECT cur.id AS cur, prev.id AS prev, cur."year" AS cur_year, prev."year" AS prev_year,
       cur."format" AS cur_format, prev."format" AS prev_format
FROM r cur JOIN r prev ON prev.agency_key = cur.agency_key AND prev."year" = cur."year" - 1
"""


class YearRule(Rule):
    """A rule over two consecutive reports of one agency, run over the corpus database."""

    scope: ClassVar[str] = "corpus"

    def check(self, ctx: Context) -> Iterator[Finding]:
        # One report alone says nothing about the year before: see check_store.
        return iter(())

    def check_store(
        self, store: Store, agency_keys: Sequence[str], options: Mapping[str, Any]
    ) -> Iterator[YearFinding]:
        raise NotImplementedError


def place(
    section: str | None,
    table: str | None = None,
    row: str | None = None,
    column: str | None = None,
    line: int | None = None,
    page: int | None = None,
) -> Place:
    """A place read back from the store (the parsed objects are gone by then)."""
    return Place(
        section=section,
        table=table,
        row=row,
        column=column,
        loc=Location(line=line, page=page),
        order=(_ordinal(section), 2 if row else 0, _row_index(table, row), _column_index(table, column), line or 0),
    )


def _ordinal(section: str | None) -> int:
    return SECTION_KEYS.index(section) + 1 if section in SECTION_KEYS else 0


def _row_index(table: str | None, row: str | None) -> int:
    if table is None or row is None:
        return -1
    rows = list(load_format("2021").tables[table].rows) + list(load_format("2019").tables[table].rows)
    return rows.index(row) if row in rows else len(rows)


def _column_index(table: str | None, column: str | None) -> int:
    if table is None or column is None:
        return -1
    cols = list(load_format("2021").tables[table].columns) + list(load_format("2019").tables[table].columns)
    return cols.index(column) if column in cols else len(cols)


def finding_rows_by_report(found: Sequence[YearFinding]) -> list[tuple[Any, ...]]:
    """Rows for ``findings`` (origin 'year'), numbered per report in a stable order."""
    from gongkai.store.rows import finding_rows

    by_report: dict[int, list[YearFinding]] = {}
    for yf in found:
        by_report.setdefault(yf.report, []).append(yf)
    rows: list[tuple[Any, ...]] = []
    for report in sorted(by_report):
        items = sorted(by_report[report], key=lambda yf: (yf.finding.sort_key(), yf.related))
        dicts = [{**yf.finding.to_dict(), "related_report": yf.related} for yf in items]
        rows.extend(finding_rows(report, dicts, origin="year"))
    return rows
