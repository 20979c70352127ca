"""The problems list: findings grouped by agency, worst first, with the filter's facets."""

from __future__ import annotations

from dataclasses import dataclass

from gongkai.store.queries.base import Connection, column, fetch_one
from gongkai.store.queries.findings import FINDINGS_FROM, GROUP_KEY, FindingFilter


@dataclass(frozen=True, slots=True)
class AgencyGroup:
    """An agency's findings (or those of a report without an agency key, ``#<id>``)."""

    agency_key: str
    agency: str | None  # as written in its latest report
    province: str | None
    city: str | None
    county: str | None
    region_code: str | None
    reports: int  # reports with findings shown
    years: tuple[int, ...]
    errors: int
    warnings: int
    infos: int
    undecided: int
    findings: int


@dataclass(frozen=True, slots=True)
class GroupTotals:
    """Over every group the filter selects, not only one page of them."""

    groups: int = 0
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    undecided: int = 0
    reports_with_findings: int = 0


@dataclass(frozen=True, slots=True)
class GroupPage:
    groups: list[AgencyGroup]
    totals: GroupTotals


@dataclass(frozen=True, slots=True)
class CorpusCounts:
    reports: int  # reports the filter selects
    agencies: int  # their distinct agency keys
    failed: int  # files that are no report, in the whole corpus


def agency_groups(con: Connection, flt: FindingFilter, limit: int, offset: int) -> GroupPage:
    """One page of agency groups, most errors first, then warnings, then findings."""
    where, params = flt.where()
    cur = con.execute(
        f"""WITH g AS (
          SELECT {GROUP_KEY} AS agency_key, arg_max(r.agency, r."year") AS agency,
            any_value(r.province) AS province, any_value(r.city) AS city, any_value(r.county) AS county,
            any_value(r.region_code) AS region_code,
            count(DISTINCT r.id) AS reports, list(DISTINCT r."year" ORDER BY r."year") AS years,
            count(*) FILTER (WHERE f.severity = 'error') AS errors,
            count(*) FILTER (WHERE f.severity = 'warning') AS warnings,
            count(*) FILTER (WHERE f.severity = 'info') AS infos,
            count(*) FILTER (WHERE d.decision IS NULL OR d.decision = 'reopened') AS undecided,
            count(*) AS findings
          FROM {FINDINGS_FROM} WHERE {where}
          GROUP BY 1)
        SELECT *, count(*) OVER () AS n_groups, sum(errors) OVER () AS t_errors,
          sum(warnings) OVER () AS t_warnings, sum(infos) OVER () AS t_infos,
          sum(undecided) OVER () AS t_undecided, sum(reports) OVER () AS t_reports_with_findings
        FROM g
        ORDER BY errors DESC, warnings DESC, findings DESC, agency, agency_key
        LIMIT ? OFFSET ?""",
        [*params, limit, offset],
    )
    rows = cur.fetchall()
    names = [d[0] for d in cur.description or []][:13]
    groups = [AgencyGroup(**(dict(zip(names, r[:13], strict=True)) | {"years": tuple(r[7] or ())})) for r in rows]
    totals = GroupTotals(*(int(v or 0) for v in rows[0][13:])) if rows else GroupTotals()
    return GroupPage(groups, totals)


def corpus_counts(con: Connection, flt: FindingFilter) -> CorpusCounts:
    where, params = flt.where(with_findings=False)
    counts = fetch_one(
        con,
        CorpusCounts,
        f"""SELECT count(*) AS reports, count(DISTINCT r.agency_key) AS agencies,
          (SELECT count(*) FROM reports WHERE status = 'failed') AS failed
        FROM reports r WHERE {where}""",
        params,
    )
    assert counts is not None
    return counts


def provinces(con: Connection) -> list[str]:
    """Provinces with reports, most reports first."""
    return column(
        con,
        "SELECT province FROM reports WHERE status = 'ok' AND province IS NOT NULL"
        " GROUP BY 1 ORDER BY count(*) DESC, 1",
    )


def cities(con: Connection, province: str) -> list[str]:
    return column(
        con,
        "SELECT city FROM reports WHERE status = 'ok' AND province = ? AND city IS NOT NULL GROUP BY 1 ORDER BY 1",
        [province],
    )


def counties(con: Connection, *, province: str = "", city: str = "") -> list[str]:
    """Counties with reports in *city*, or else in *province*."""
    col, value = ("city", city) if city else ("province", province)
    return column(
        con,
        f"SELECT county FROM reports WHERE status = 'ok' AND {col} = ? AND county IS NOT NULL GROUP BY 1 ORDER BY 1",
        [value],
    )


__all__ = [
    "AgencyGroup",
    "CorpusCounts",
    "GroupPage",
    "GroupTotals",
    "agency_groups",
    "cities",
    "corpus_counts",
    "counties",
    "provinces",
]
