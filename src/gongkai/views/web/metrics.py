"""Figures the agency and region pages chart and rank, defined once over the format keys.

A metric is a sum of cells of one table and column over a set of rows (both formats' rows that
exist). The store computes and keeps them per report (``report_metrics``,
:mod:`gongkai.store.queries.metrics`) for the definitions :func:`metrics` hands it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from gongkai.formats import all_formats, quantity_rows
from gongkai.store.queries import metrics as q_metrics
from gongkai.store.queries.metrics import refresh_metrics, reports_fingerprint
from gongkai.views.web.db import WebDB


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


def ensure_metrics(db: WebDB) -> None:
    """Bring the store's ``report_metrics`` (every metric per report, precomputed from ``values``)
    up to date with ``reports`` and :func:`metrics`. Cheap when nothing changed: a fingerprint of
    ``reports`` is compared first. A report stored again (re-ingest) has a new ``ingested_at`` and
    is recomputed."""
    fp = reports_fingerprint(db.cursor())
    if db.memo.get("metrics_fingerprint") == fp:
        return
    with db.writing() as con:
        refresh_metrics(con, list(metrics().values()))
    db.memo["metrics_fingerprint"] = fp


def report_metrics(db: WebDB, report_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    if not report_ids:
        return {}
    ensure_metrics(db)
    rows = q_metrics.report_metrics(db.cursor(), report_ids, list(metrics()))
    return {m.report: whole(dict(m.values)) for m in rows}


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
    "OUTCOMES",
    "Metric",
    "bar_ranking",
    "ensure_metrics",
    "granted_share",
    "line_chart",
    "metrics",
    "number",
    "report_metrics",
    "whole",
]
