"""Figures the agency and region pages chart and rank, defined once over the format keys.

A metric is a sum of cells of one table and column over a set of rows (both formats' rows that
exist); :func:`metrics_sql` pivots them per report in one pass over ``values``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from gongkai.formats import all_formats, quantity_rows
from gongkai.views.web.db import WebDB

# Metrics are counts: stored as DOUBLE, since DuckDB hands DECIMALs to Python as decimal.Decimal
# objects, which costs ~40 µs each — half a second for the 10,000 × 14 figures of a national page.
METRIC_TYPE = "DOUBLE"


@dataclass(frozen=True, slots=True)
class Metric:
    key: str
    zh: str
    en: str
    table: str
    rows: tuple[str, ...]
    column: str


@cache
def metrics() -> dict[str, Metric]:
    """The quantities of the formats that the pages chart (``chart`` in formats/*.toml), over the
    rows either format has."""
    out: dict[str, Metric] = {}
    for fmt in all_formats():
        for q in fmt.quantities.values():
            if q.chart and q.key not in out:
                out[q.key] = Metric(q.key, q.zh, q.en, q.table, quantity_rows(q.key), q.columns[0])
    return out


# The figures that split the outcome rows of table 三 (the right side of its sum B003).
_OUTCOME_ROWS = {k for fmt in all_formats() for k in fmt.tables["requests"].sum("B003").rhs}
OUTCOMES = tuple(k for k, m in metrics().items() if m.table == "requests" and set(m.rows) <= _OUTCOME_ROWS)


def _sql_list(items: Sequence[str]) -> str:
    return ", ".join("'" + i.replace("'", "''") + "'" for i in items)


def metric_exprs(alias: str = "v") -> str:
    parts = []
    for m in metrics().values():
        parts.append(
            f"sum({alias}.value) FILTER (WHERE {alias}.table_key = '{m.table}' AND {alias}.row_key IN "
            f"({_sql_list(m.rows)}) AND {alias}.column_key = '{m.column}') AS {m.key}"
        )
    return ",\n  ".join(parts)


def metrics_sql(report_filter: str) -> str:
    """Per report: every metric. *report_filter* is SQL over ``v.report`` (e.g. an IN list)."""
    return (
        f'SELECT v.report,\n  {metric_exprs()}\nFROM "values" v\n'
        f"WHERE {report_filter} AND NOT v.extra_row AND v.table_key IN ('requests', 'appeals')\n"
        "GROUP BY v.report"
    )


METRICS_TABLE = "web_report_metrics"


def ensure_metrics(db: WebDB) -> None:
    """Bring ``web_report_metrics`` (every metric per report, precomputed from ``values``) up to
    date with ``reports``. Pivoting two million value rows takes most of a second; reading the
    precomputed table, milliseconds. Cheap when nothing changed: a fingerprint of ``reports`` is
    compared first. A report stored again (re-ingest) has a new ``ingested_at`` and is recomputed."""
    fp = db.tuples("SELECT count(*), max(ingested_at), sum(id % 1000003) FROM reports")[0]
    if db.memo.get("metrics_fingerprint") == fp:
        return
    cols = ",\n  ".join(f"{k} {METRIC_TYPE}" for k in metrics())
    expected = [("report", "BIGINT"), ("ingested_at", "TIMESTAMP"), *((k, METRIC_TYPE) for k in metrics())]
    with db.writing() as con:
        have = con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?"
            " ORDER BY ordinal_position",
            [METRICS_TABLE],
        ).fetchall()
        if have and [tuple(h) for h in have] != expected:
            con.execute(f"DROP TABLE {METRICS_TABLE}")  # an older layout: rebuild
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {METRICS_TABLE} (\n  report BIGINT PRIMARY KEY,\n"
            f"  ingested_at TIMESTAMP,\n  {cols}\n)"
        )
        con.execute(
            f"""DELETE FROM {METRICS_TABLE} WHERE report IN (
              SELECT m.report FROM {METRICS_TABLE} m LEFT JOIN reports r ON r.id = m.report
              WHERE r.id IS NULL OR r.ingested_at IS DISTINCT FROM m.ingested_at)"""
        )
        con.execute(
            f"""INSERT INTO {METRICS_TABLE}
            SELECT r.id, r.ingested_at, {", ".join(f"CAST({k} AS {METRIC_TYPE})" for k in metrics())}
            FROM (SELECT r.id, r.ingested_at, {metric_exprs()}
            FROM reports r LEFT JOIN "values" v ON v.report = r.id AND NOT v.extra_row
              AND v.table_key IN ('requests', 'appeals')
            WHERE r.id NOT IN (SELECT report FROM {METRICS_TABLE})
            GROUP BY r.id, r.ingested_at) r"""
        )
    db.memo["metrics_fingerprint"] = fp


def report_metrics(db: WebDB, report_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    if not report_ids:
        return {}
    ensure_metrics(db)
    cols = ", ".join(metrics())
    rows = db.rows(f"SELECT report, {cols} FROM {METRICS_TABLE} WHERE report IN (SELECT unnest(?))", [list(report_ids)])
    return {int(r.pop("report")): whole(r) for r in rows}


def whole(row: dict[str, Any]) -> dict[str, Any]:
    """Integral floats as ints (3240.0 → 3240), in place."""
    for k, v in row.items():
        if isinstance(v, float) and v.is_integer():
            row[k] = int(v)
    return row


def granted_share(m: dict[str, Any]) -> float | None:
    """(予以公开 + 部分公开) / 办理结果总计."""
    handled = m.get("handled")
    if not handled:
        return None
    granted = (m.get("granted") or Decimal(0)) + (m.get("partly_granted") or Decimal(0))
    return float(granted) / float(handled)


def number(value: Any) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (int, float)):
        return value
    return None


def line_chart(
    title: str,
    categories: list[str],
    series: list[tuple[str, list[Any]]],
    *,
    kind: str = "line",
    stack: bool = False,
    percent: bool = False,
) -> dict[str, Any]:
    """An ECharts option: one category axis, one series per (name, values)."""
    option: dict[str, Any] = {
        "title": {"text": title, "left": 8, "top": 4, "textStyle": {"fontSize": 13, "fontWeight": 600}},
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 26, "left": 8, "itemWidth": 14, "itemHeight": 8, "textStyle": {"fontSize": 11}},
        "grid": {"left": 48, "right": 16, "top": 64, "bottom": 28},
        "xAxis": {"type": "category", "data": categories},
        "yAxis": {"type": "value", "minInterval": 1},
        "animation": False,
        "series": [
            {
                "name": name,
                "type": kind,
                "data": [number(v) for v in values],
                "connectNulls": True,
                **({"stack": "total"} if stack else {}),
                **({"barMaxWidth": 28} if kind == "bar" else {}),
            }
            for name, values in series
        ],
    }
    if percent:
        option["yAxis"] = {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}}
    return option


def bar_ranking(title: str, names: list[str], values: list[Any], *, percent: bool = False) -> dict[str, Any]:
    """A horizontal bar chart, best on top."""
    return {
        "title": {"text": title, "left": 8, "top": 4, "textStyle": {"fontSize": 13, "fontWeight": 600}},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 36, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", **({"max": 100, "axisLabel": {"formatter": "{value}%"}} if percent else {})},
        "yAxis": {
            "type": "category",
            "data": list(reversed(names)),
            "axisLabel": {"fontSize": 11, "width": 180, "overflow": "truncate"},
        },
        "animation": False,
        "series": [
            {
                "type": "bar",
                "data": [number(v) for v in reversed(values)],
                "barMaxWidth": 16,
                "label": {"show": True, "position": "right", "fontSize": 10},
            }
        ],
    }


__all__ = [
    "METRICS_TABLE",
    "OUTCOMES",
    "Metric",
    "bar_ranking",
    "ensure_metrics",
    "granted_share",
    "line_chart",
    "metric_exprs",
    "metrics",
    "metrics_sql",
    "number",
    "report_metrics",
    "whole",
]
