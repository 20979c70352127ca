"""Review decisions (table ``decisions``, see :data:`gongkai.store.schema.DECISIONS`): record one,
list them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gongkai.store.queries.base import Connection, fetch, scalar


@dataclass(frozen=True, slots=True)
class DecisionKey:
    """What a decision is about: a report's content, a rule and a place ('' and 0 when absent)."""

    sha256: str
    code: str
    section: str = ""
    table: str = ""
    row: str = ""
    column: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """A decision taken on one of a report's findings (its history)."""

    id: int
    code: str
    section: str
    table_key: str
    row_key: str
    column_key: str
    line: int
    decision: str
    comment: str | None
    reviewer: str | None
    decided_at: dt.datetime
    carried_from: str | None  # the sha256 of the earlier version it was carried over from


@dataclass(frozen=True, slots=True)
class DecisionListing:
    """A ``decisions`` row with the (lowest) id of a report with that content."""

    id: int
    sha256: str
    code: str
    section: str
    table_key: str
    row_key: str
    column_key: str
    line: int
    decision: str
    comment: str | None
    reviewer: str | None
    decided_at: dt.datetime
    carried_from: str | None
    report: int | None


def add_decision(
    con: Connection, key: DecisionKey, decision: str, comment: str | None, reviewer: str | None, at: dt.datetime
) -> int:
    """Store a decision as given; returns its id."""
    new_id = scalar(
        con,
        "INSERT INTO decisions (sha256, code, section, table_key, row_key, column_key, line, decision, comment,"
        " reviewer, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [key.sha256, key.code, key.section, key.table, key.row, key.column, key.line, decision, comment, reviewer, at],
    )
    return int(new_id)


def decision_history(con: Connection, sha256: str) -> list[DecisionRecord]:
    """Every decision on the findings of the report with content *sha256*, newest first."""
    return fetch(
        con,
        DecisionRecord,
        "SELECT id, code, section, table_key, row_key, column_key, line, decision, comment, reviewer, decided_at,"
        " carried_from FROM decisions WHERE sha256 = ? ORDER BY decided_at DESC, id DESC",
        [sha256],
    )


def carried_count(con: Connection, sha256: str) -> int:
    """How many decisions on the report with content *sha256* were carried over from an earlier version."""
    return int(scalar(con, "SELECT count(*) FROM decisions WHERE sha256 = ? AND carried_from IS NOT NULL", [sha256]))


def list_decisions(con: Connection, report: int | None, limit: int, offset: int) -> list[DecisionListing]:
    """Decisions, newest first: all, or those on the findings of report *report*."""
    where, params = (
        ("d.sha256 = (SELECT sha256 FROM reports WHERE id = ?)", [report]) if report is not None else ("TRUE", [])
    )
    return fetch(
        con,
        DecisionListing,
        f"""SELECT d.*, (SELECT min(r.id) FROM reports r WHERE r.sha256 = d.sha256) AS report
        FROM decisions d WHERE {where} ORDER BY d.decided_at DESC, d.id DESC LIMIT ? OFFSET ?""",
        [*params, limit, offset],
    )


__all__ = [
    "DecisionKey",
    "DecisionListing",
    "DecisionRecord",
    "add_decision",
    "carried_count",
    "decision_history",
    "list_decisions",
]
