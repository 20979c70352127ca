"""An agency's page: its reports over the years and their cells."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from gongkai.store.queries.base import Connection, fetch


@dataclass(frozen=True, slots=True)
class AgencyReport:
    id: int
    agency: str | None
    year: int | None
    format: str | None
    province: str | None
    city: str | None
    county: str | None
    region_code: str | None
    signed_on: dt.date | None
    published_on: dt.date | None
    path: str
    status: str


@dataclass(frozen=True, slots=True)
class Cell:
    report: int
    table_key: str
    row_key: str
    column_key: str
    value: Decimal | None


def agency_reports(con: Connection, agency_key: str) -> list[AgencyReport]:
    """The agency's parsed reports, oldest year first (a report without a year first of all)."""
    return fetch(
        con,
        AgencyReport,
        """SELECT id, agency, "year", "format", province, city, county, region_code, signed_on, published_on, path,
             status FROM reports WHERE agency_key = ? AND status = 'ok' ORDER BY "year" NULLS FIRST, id""",
        [agency_key],
    )


def format_cells(con: Connection, reports: Sequence[int]) -> list[Cell]:
    """The cells of *reports* in the format's rows (agency-added rows aside)."""
    return fetch(
        con,
        Cell,
        """SELECT report, table_key, row_key, column_key, value FROM "values"
        WHERE report IN (SELECT unnest(?)) AND NOT extra_row""",
        [list(reports)],
    )


__all__ = ["AgencyReport", "Cell", "agency_reports", "format_cells"]
