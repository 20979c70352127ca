"""``gongkai sum``: the three tables summed over the agencies of a region for one year.

Each agency counts once: when the corpus holds several reports of one agency for the year (a
re-published version, a copy on another site) the latest one is used (published_on, then
signed_on, then the highest id) — the view ``v_agency_year`` (:data:`gongkai.store.schema.AGENCY_YEAR`),
which the region page reads too. Reports are summed per table format, since the 2019 and 2021
tables have different rows and columns. Agency-added rows are not summed (their labels differ
from agency to agency); a cell with no value in any report stays without a value.

Summing preserves every balance rule of the format (they are linear), so the sum of balanced
tables balances; ``tests/test_store_aggregate.py`` checks it.
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


@dataclass(slots=True)
class RegionSum:
    region: str
    year: int
    formats: dict[str, FormatSum] = field(default_factory=dict)
    agencies: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "year": self.year,
            "agencies": self.agencies,
            "reports": sum(len(f.reports) for f in self.formats.values()),
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
                        }
                    )
    return rows


__all__ = ["FormatSum", "RegionSum", "sum_region", "sum_rows"]
