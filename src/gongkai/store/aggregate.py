"""``gongkai sum``: the three tables summed over the agencies of a region for one year.

Each agency counts once: when the corpus holds several reports of one agency for the year (a
re-published version, a copy on another site) the latest one is used (published_on, then
signed_on, then the highest id) — the view ``v_agency_year`` (:data:`gongkai.store.schema.AGENCY_YEAR`),
which the region page reads too. Reports are summed per table format, since the 2019 and 2021
tables have different rows and columns. Agency-added rows are not summed (their labels differ
from agency to agency); a cell with no value in any report stays without a value.

Summing preserves every balance rule of the format (they are linear), so the sum of balanced
tables balances; ``tests/test_store_aggregate.py`` checks it. A report with findings of severity
error is summed as it is, and named in :attr:`RegionSum.flagged` with its error codes, so that
whoever compiles the region knows which figures to look at first.

The rows of a table keep the format's groups (``group`` in formats/*.toml: table 三's
（三）不予公开, （四）无法提供, （五）不予处理, （六）其他处理): :func:`table_layout` lists the
rows under their group headings as the national table prints them, and the CSV names each
row's group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gongkai.formats import load_format
from gongkai.jsonout import json_number
from gongkai.store.db import Store
from gongkai.store.regions import RegionFilter
from gongkai.store.schema import AGENCY_YEAR, inline


@dataclass(slots=True)
class FormatSum:
    format: str
    reports: list[int] = field(default_factory=list)
    # table → row → column → (sum or None, how many reports had a value)
    tables: dict[str, dict[str, dict[str, tuple[Decimal | None, int]]]] = field(default_factory=dict)

    def value(self, table: str, row: str, column: str) -> Decimal | None:
        return self.tables.get(table, {}).get(row, {}).get(column, (None, 0))[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "reports": len(self.reports),
            "tables": {
                t: {r: {c: json_number(v) for c, (v, _) in cols.items()} for r, cols in rows.items()}
                for t, rows in self.tables.items()
            },
            "counts": {
                t: {r: {c: n for c, (_, n) in cols.items()} for r, cols in rows.items()}
                for t, rows in self.tables.items()
            },
        }


@dataclass(frozen=True, slots=True)
class FlaggedReport:
    """A summed report with findings of severity error: its error codes and how often each."""

    report: int
    agency: str | None
    path: str
    format: str
    codes: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "report": self.report,
            "agency": self.agency,
            "path": self.path,
            "format": self.format,
            "codes": dict(self.codes),
        }


@dataclass(slots=True)
class RegionSum:
    region: str
    year: int
    formats: dict[str, FormatSum] = field(default_factory=dict)
    agencies: int = 0
    flagged: list[FlaggedReport] = field(default_factory=list)  # summed reports with error findings

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "year": self.year,
            "agencies": self.agencies,
            "reports": sum(len(f.reports) for f in self.formats.values()),
            "reports_with_errors": len(self.flagged),
            "error_reports": [f.to_dict() for f in self.flagged],
            "formats": {k: f.to_dict() for k, f in self.formats.items()},
        }


# One report per agency and year, as v_agency_year decides it.
CHOSEN_SQL = f"""
SELECT c.report AS id, c."format" FROM {inline(AGENCY_YEAR, "c")}
WHERE c."year" = ? AND {{where}}
ORDER BY id
"""

SUM_SQL = """
SELECT v.table_key, v.row_key, v.column_key, sum(v.value), count(v.value)
FROM "values" v
WHERE v.report IN (SELECT unnest(?)) AND NOT v.extra_row
GROUP BY ALL
"""


# The error findings of the reports summed, by report and code (per-report and year rules).
ERRORS_SQL = """
SELECT f.report, r.agency, r.path, r."format", f.code, count(*)
FROM findings f JOIN reports r ON r.id = f.report
WHERE f.report IN (SELECT unnest(?)) AND f.severity = 'error'
GROUP BY ALL
ORDER BY f.report, f.code
"""


def flagged_reports(store: Store, ids: list[int]) -> list[FlaggedReport]:
    """The reports among *ids* with findings of severity error, by id."""
    if not ids:
        return []
    out: dict[int, FlaggedReport] = {}
    for report, agency, path, fmt, code, n in store.query(ERRORS_SQL, [ids]):
        flagged = out.setdefault(report, FlaggedReport(report, agency, path, fmt or "", {}))
        flagged.codes[code] = int(n)
    return list(out.values())


def sum_region(store: Store, region: RegionFilter, year: int) -> RegionSum:
    where, params = region.sql("c")
    chosen = store.query(CHOSEN_SQL.format(where=where), [year, *params])
    out = RegionSum(region=region.label, year=year, agencies=len(chosen))
    for fmt_id in ("2019", "2021"):
        ids = [rid for rid, f in chosen if f == fmt_id]
        if not ids:
            continue
        fsum = FormatSum(format=fmt_id, reports=ids)
        got = {(t, r, c): (s, n) for t, r, c, s, n in store.query(SUM_SQL, [ids])}
        spec = load_format(fmt_id)
        for tkey, tspec in spec.tables.items():
            rows: dict[str, dict[str, tuple[Decimal | None, int]]] = {}
            for rkey, rspec in tspec.rows.items():
                rows[rkey] = {c: got.get((tkey, rkey, c), (None, 0)) for c in rspec.columns}
            fsum.tables[tkey] = rows
        out.formats[fmt_id] = fsum
    out.flagged = flagged_reports(store, [rid for rid, _ in chosen])
    return out


@dataclass(frozen=True, slots=True)
class LayoutRow:
    """One line of a summed table as the national table prints it: a group heading (``row``
    None), or a row of the format — at ``depth`` 1 under a heading, or heading the group itself
    (``heads``: a single （六）其他处理 row followed by its sub-rows)."""

    label: str
    row: str | None
    depth: int = 0
    heads: bool = False

    @property
    def heading(self) -> bool:
        return self.row is None or self.heads


def table_layout(format_id: str, table: str, rows: list[str]) -> list[LayoutRow]:
    """*rows* of a table in order, each group's rows under a heading with the group's label
    (``group`` of the format; table 二's ``item`` likewise). A row whose label is the group's
    own (the 2019-style single （六）其他处理 row) is the heading itself."""
    spec = load_format(format_id).tables[table]
    out: list[LayoutRow] = []
    current: str | None = None
    for key in rows:
        rspec = spec.rows[key]
        group = rspec.group or rspec.item
        if group is None:
            after = rows.index(key) + 1
            following = spec.rows[rows[after]] if after < len(rows) else None
            heads = following is not None and (following.group or following.item) == rspec.label
            current = rspec.label if heads else None  # the row heads the group that follows
            out.append(LayoutRow(rspec.label, key, heads=heads))
            continue
        if group != current:
            out.append(LayoutRow(group, None))
            current = group
        out.append(LayoutRow(rspec.label, key, depth=1))
    return out


def sum_rows(result: RegionSum) -> list[dict[str, Any]]:
    """Long form for CSV: one row per cell."""
    rows = []
    for fmt_id, fsum in result.formats.items():
        spec = load_format(fmt_id)
        for tkey, table in fsum.tables.items():
            tspec = spec.tables[tkey]
            for rkey, cols in table.items():
                for ckey, (value, n) in cols.items():
                    rows.append(
                        {
                            "region": result.region,
                            "year": result.year,
                            "format": fmt_id,
                            "table_key": tkey,
                            "row_key": rkey,
                            "column_key": ckey,
                            "value": json_number(value),
                            "reports": n,
                            "row_label": tspec.rows[rkey].label,
                            "column_label": tspec.columns[ckey].label,
                            "row_group": tspec.rows[rkey].group or tspec.rows[rkey].item or "",
                        }
                    )
    return rows


__all__ = [
    "FlaggedReport",
    "FormatSum",
    "LayoutRow",
    "RegionSum",
    "flagged_reports",
    "sum_region",
    "sum_rows",
    "table_layout",
]
