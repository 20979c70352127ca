"""A region's page: its years, its agencies' reports for a year (one per agency, ``v_agency_year``)
with their findings and figures, the figures summed by year, the divisions below it, and who
published the year before but not this year.

A region is a division-code prefix (``42`` for 湖北省, ``""`` for the whole corpus), as
:class:`gongkai.store.regions.RegionFilter` has it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gongkai.store.queries.base import Connection, column, fetch
from gongkai.store.queries.metrics import pivot_sql
from gongkai.store.regions import RegionFilter
from gongkai.store.schema import AGENCY_YEAR, inline, quote


@dataclass(frozen=True, slots=True)
class RegionReport:
    """The report counted for one agency of the region in a year, with its findings and figures."""

    id: int
    agency: str | None
    agency_key: str | None
    province: str | None
    city: str | None
    county: str | None
    region_code: str | None
    format: str
    errors: int
    warnings: int
    metrics: dict[str, float | None]  # metric key → figure, in the order of the keys asked for


@dataclass(frozen=True, slots=True)
class YearTotals:
    """The figures of the reports counted for a year (one per agency), summed."""

    year: int
    reports: int
    metrics: dict[str, float | None]


@dataclass(frozen=True, slots=True)
class Division:
    """A division right below the region, with how many reports it has for the year."""

    name: str
    code: str
    reports: int


@dataclass(frozen=True, slots=True)
class Place:
    """A division the corpus has reports from, with the codes of its province and city (for the
    filter bars: 省, 市, 县/区). A county directly under its province has no city."""

    province: str
    province_code: str
    city: str | None
    city_code: str | None
    county: str | None
    county_code: str | None
    reports: int


@dataclass(frozen=True, slots=True)
class AbsentAgency:
    name: str | None
    agency_key: str
    code: str | None


def region_years(con: Connection, prefix: str) -> list[int]:
    """The years with reports in the region, latest first."""
    return column(
        con,
        """SELECT DISTINCT "year" FROM reports WHERE status = 'ok' AND region_code LIKE ? AND "year" IS NOT NULL
        ORDER BY 1 DESC""",
        [prefix + "%"],
    )


def region_reports(con: Connection, region: RegionFilter, year: int, metric_keys: Sequence[str]) -> list[RegionReport]:
    """One report per agency of *region* for *year* (``v_agency_year``), by agency name, each with
    its error and warning counts and the figures *metric_keys* (from ``report_metrics``: see
    :func:`gongkai.store.queries.metrics.refresh_metrics`)."""
    where, params = region.sql("c")
    keys = list(metric_keys)
    metric_cols = "".join(f", m.{quote(k)}" for k in keys)
    cur = con.execute(
        f"""WITH chosen AS (
          SELECT c.report AS id FROM {inline(AGENCY_YEAR, "c")} WHERE c."year" = ? AND {where}),
        counts AS (
          SELECT f.report, count(*) FILTER (WHERE f.severity = 'error') AS errors,
            count(*) FILTER (WHERE f.severity = 'warning') AS warnings
          FROM findings f WHERE f.report IN (SELECT id FROM chosen) GROUP BY f.report),
        m AS ({pivot_sql(keys, "SELECT id FROM chosen")})
        SELECT r.id, r.agency, r.agency_key, r.province, r.city, r.county, r.region_code, r."format",
          coalesce(c.errors, 0) AS errors, coalesce(c.warnings, 0) AS warnings{metric_cols}
        FROM chosen JOIN reports r ON r.id = chosen.id
        LEFT JOIN counts c ON c.report = r.id
        LEFT JOIN m ON m.report = r.id
        ORDER BY r.agency, r.id""",
        [year, *params],
    )
    names = [d[0] for d in cur.description or []][:10]
    return [
        RegionReport(**dict(zip(names, row[:10], strict=True)), metrics=dict(zip(keys, row[10:], strict=True)))
        for row in cur.fetchall()
    ]


def region_trend(con: Connection, prefix: str, metric_keys: Sequence[str]) -> list[YearTotals]:
    """Per year, the reports counted in the region (one per agency, ``v_agency_year``; those with
    a division code under *prefix*) and their figures *metric_keys* summed."""
    keys = list(metric_keys)
    sums = "".join(f", sum(m.{quote(k)}) AS {quote(k)}" for k in keys)
    cur = con.execute(
        f"""WITH chosen AS (
          SELECT c.report AS id, c."year" FROM {inline(AGENCY_YEAR, "c")} WHERE c.region_code LIKE ?),
        m AS ({pivot_sql(keys, "SELECT id FROM chosen")})
        SELECT c."year", count(*) AS reports{sums}
        FROM chosen c JOIN m ON m.report = c.id
        GROUP BY c."year" ORDER BY 1""",
        [prefix + "%"],
    )
    return [YearTotals(int(row[0]), int(row[1]), dict(zip(keys, row[2:], strict=True))) for row in cur.fetchall()]


def region_divisions(con: Connection, prefix: str, year: int) -> list[Division]:
    """The provinces of the corpus, the cities (or counties directly under it) of a province, the
    counties of a city; most reports for *year* first."""
    n = len(prefix)
    if n >= 6:
        return []
    if n == 0:
        name, code = "province", "substr(region_code, 1, 2) || '0000'"
    elif n == 2:
        name = "coalesce(city, county)"
        code = "CASE WHEN city IS NOT NULL THEN substr(region_code, 1, 4) || '00' ELSE region_code END"
    else:
        name, code = "county", "region_code"
    return fetch(
        con,
        Division,
        f"""SELECT {name} AS name, {code} AS code, count(*) AS reports FROM reports
        WHERE status = 'ok' AND region_code LIKE ? AND "year" = ? AND {name} IS NOT NULL
        GROUP BY ALL ORDER BY reports DESC, name""",
        [prefix + "%", year],
    )


def places(con: Connection) -> list[Place]:
    """Every (province, city, county) the corpus's reports come from, over all years, by code."""
    return fetch(
        con,
        Place,
        """SELECT province, substr(region_code, 1, 2) || '0000' AS province_code,
          city, CASE WHEN city IS NOT NULL THEN substr(region_code, 1, 4) || '00' END AS city_code,
          county, CASE WHEN county IS NOT NULL THEN region_code END AS county_code, count(*) AS reports
        FROM reports
        WHERE status = 'ok' AND province IS NOT NULL AND region_code IS NOT NULL AND length(region_code) = 6
        GROUP BY ALL ORDER BY province_code, city_code NULLS FIRST, county_code NULLS FIRST""",
    )


def agencies_with_reports(con: Connection, keys: Sequence[str]) -> set[str]:
    """Those of the agency *keys* that have a report in the corpus (a page of their own)."""
    if not keys:
        return set()
    return set(
        column(con, "SELECT DISTINCT agency_key FROM reports WHERE agency_key IN (SELECT unnest(?))", [list(keys)])
    )


def absent_since_last_year(con: Connection, prefix: str, year: int) -> list[AbsentAgency]:
    """Agencies of the region with a report for the year before *year* and none for *year*."""
    return fetch(
        con,
        AbsentAgency,
        """SELECT arg_max(agency, id) AS name, agency_key, any_value(region_code) AS code FROM reports
        WHERE status = 'ok' AND region_code LIKE ? AND "year" = ? AND agency_key IS NOT NULL
          AND agency_key NOT IN (SELECT agency_key FROM reports WHERE status = 'ok' AND "year" = ?
                                 AND agency_key IS NOT NULL)
        GROUP BY agency_key ORDER BY name""",
        [prefix + "%", year - 1, year],
    )


__all__ = [
    "AbsentAgency",
    "Division",
    "Place",
    "RegionReport",
    "YearTotals",
    "absent_since_last_year",
    "agencies_with_reports",
    "places",
    "region_divisions",
    "region_reports",
    "region_trend",
    "region_years",
]
