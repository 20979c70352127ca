"""Figures per report that pages chart and rank (table ``report_metrics``), precomputed from
``values``: pivoting two million value rows takes most of a second, reading the precomputed
table milliseconds.

Which figures there are is not the store's to decide: the caller hands over the definitions
(anything with ``key``, ``table``, ``rows`` and ``column``: a sum of one table's column over a
set of rows, agency-added rows aside). When the definitions change, every report's figures are
computed again (their fingerprint is kept in ``store_meta``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from gongkai.store.queries.base import Connection, scalar
from gongkai.store.schema import METRIC_TYPE, quote

_KEY = re.compile(r"^[a-z_][a-z0-9_]*$")
_META_KEY = "report_metrics"  # store_meta: the fingerprint of the definitions computed


class MetricDefinition(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def table(self) -> str: ...
    @property
    def rows(self) -> tuple[str, ...]: ...
    @property
    def column(self) -> str: ...


@dataclass(frozen=True, slots=True)
class ReportsFingerprint:
    """Changes whenever ``reports`` does (an ingest, an upload, a report stored again)."""

    reports: int
    last_ingested: dt.datetime | None
    id_sum: Any


@dataclass(frozen=True, slots=True)
class ReportMetrics:
    report: int
    values: dict[str, float | None]  # metric key → figure, in the order of the keys asked for


def reports_fingerprint(con: Connection) -> ReportsFingerprint:
    row = con.execute("SELECT count(*), max(ingested_at), sum(id % 1000003) FROM reports").fetchone()
    assert row is not None
    return ReportsFingerprint(*row)


def _keys(keys: Iterable[str]) -> list[str]:
    out = list(keys)
    bad = [k for k in out if not _KEY.match(k)]
    if bad:
        raise ValueError(f"metric keys must be lower-case identifiers: {bad}")
    return out


def pivot_sql(keys: Sequence[str], reports: str) -> str:
    """One row per report of the subquery *reports* (over a column ``id``), one column per metric."""
    cols = ",\n  ".join(f"max(value) FILTER (WHERE metric = '{k}') AS {quote(k)}" for k in _keys(keys))
    return f"SELECT report,\n  {cols}\nFROM report_metrics WHERE report IN ({reports}) GROUP BY report"


def _fingerprint(definitions: Sequence[MetricDefinition]) -> str:
    text = repr([(d.key, d.table, tuple(d.rows), d.column) for d in definitions])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def refresh_metrics(con: Connection, definitions: Sequence[MetricDefinition]) -> None:
    """Bring ``report_metrics`` up to date with ``reports`` and *definitions*: the figures of
    reports gone or stored again (another ``ingested_at``) are dropped, those of reports without
    any computed. Run it on a connection no one else writes through meanwhile."""
    keys = _keys(d.key for d in definitions)
    fingerprint = _fingerprint(definitions)
    if scalar(con, "SELECT value FROM store_meta WHERE key = ?", [_META_KEY]) != fingerprint:
        con.execute("DELETE FROM report_metrics")
        con.execute("INSERT OR REPLACE INTO store_meta VALUES (?, ?)", [_META_KEY, fingerprint])
    con.execute(
        """DELETE FROM report_metrics WHERE report IN (
          SELECT m.report FROM report_metrics m LEFT JOIN reports r ON r.id = m.report
          WHERE r.id IS NULL OR r.ingested_at IS DISTINCT FROM m.ingested_at)"""
    )
    if not keys:
        return
    parts = [(d.key, d.table, row, d.column) for d in definitions for row in dict.fromkeys(d.rows)]
    con.execute(
        f"""INSERT INTO report_metrics (report, metric, value, ingested_at)
        WITH defs AS (
          SELECT unnest(?) AS metric, unnest(?) AS table_key, unnest(?) AS row_key, unnest(?) AS column_key),
        todo AS (SELECT id, ingested_at FROM reports WHERE id NOT IN (SELECT report FROM report_metrics)),
        sums AS (
          SELECT v.report, d.metric, CAST(sum(v.value) AS {METRIC_TYPE}) AS value
          FROM "values" v JOIN defs d
            ON v.table_key = d.table_key AND v.row_key = d.row_key AND v.column_key = d.column_key
          WHERE v.report IN (SELECT id FROM todo) AND NOT v.extra_row
          GROUP BY ALL)
        SELECT t.id, k.metric, s.value, t.ingested_at
        FROM todo t CROSS JOIN (SELECT unnest(?) AS metric) k
        LEFT JOIN sums s ON s.report = t.id AND s.metric = k.metric""",
        [[p[0] for p in parts], [p[1] for p in parts], [p[2] for p in parts], [p[3] for p in parts], keys],
    )


def report_metrics(con: Connection, reports: Sequence[int], keys: Sequence[str]) -> list[ReportMetrics]:
    """The figures *keys* of *reports* (those computed: see :func:`refresh_metrics`)."""
    keys = _keys(keys)
    cur = con.execute(pivot_sql(keys, "SELECT unnest(?)"), [list(reports)])
    return [ReportMetrics(int(row[0]), dict(zip(keys, row[1:], strict=True))) for row in cur.fetchall()]


__all__ = [
    "MetricDefinition",
    "ReportMetrics",
    "ReportsFingerprint",
    "pivot_sql",
    "refresh_metrics",
    "report_metrics",
    "reports_fingerprint",
]
