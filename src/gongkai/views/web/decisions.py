"""Review decisions: a reviewer confirms or dismisses a finding, with a comment.

A decision is keyed by what does not change when a report is ingested or checked again: the
report's SHA-256, the rule code and the finding's place (section, table, row, column, line).
Report ids and finding sequence numbers are not part of the key, so a decision survives
re-ingest (the same bytes come back with the same findings at the same places) and re-check.

Decisions are never overwritten: every one is a new row with who decided and when, and the
latest per key is the one in force (view ``decisions_latest``). ``reopen`` takes a finding back
to undecided. Like ruff's ``noqa``, a dismissal is the reviewer's say that a finding is not a
problem in this report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb

DECISIONS = ("confirmed", "dismissed", "reopened")
MAX_COMMENT = 2000
MAX_REVIEWER = 80

DDL = (
    "CREATE SEQUENCE IF NOT EXISTS decisions_seq",
    """CREATE TABLE IF NOT EXISTS decisions (
  id BIGINT PRIMARY KEY DEFAULT nextval('decisions_seq'),
  sha256 VARCHAR NOT NULL,
  code VARCHAR NOT NULL,
  section VARCHAR NOT NULL,
  table_key VARCHAR NOT NULL,
  row_key VARCHAR NOT NULL,
  column_key VARCHAR NOT NULL,
  line INTEGER NOT NULL,
  decision VARCHAR NOT NULL,
  comment VARCHAR,
  reviewer VARCHAR,
  decided_at TIMESTAMP NOT NULL
)""",
    """CREATE OR REPLACE VIEW decisions_latest AS
SELECT * FROM decisions
QUALIFY row_number() OVER (
  PARTITION BY sha256, code, section, table_key, row_key, column_key, line
  ORDER BY decided_at DESC, id DESC) = 1""",
)

# Join a findings row ``f`` of a report ``r`` to its decision ``d`` (a LEFT JOIN condition).
JOIN = """d.sha256 = r.sha256 AND d.code = f.code
  AND d.section = coalesce(f.section, '') AND d.table_key = coalesce(f."table", '')
  AND d.row_key = coalesce(f."row", '') AND d.column_key = coalesce(f."column", '')
  AND d.line = coalesce(f.line, 0)"""

# The decision in force for a finding: NULL while undecided ("reopened" counts as undecided).
STATE = "CASE WHEN d.decision IN ('confirmed', 'dismissed') THEN d.decision END"


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for statement in DDL:
        con.execute(statement)


@dataclass(frozen=True, slots=True)
class PlaceKey:
    sha256: str
    code: str
    section: str = ""
    table: str = ""
    row: str = ""
    column: str = ""
    line: int = 0

    @classmethod
    def of(cls, sha256: str, finding: dict[str, Any]) -> PlaceKey:
        """The key of a finding as stored (``findings`` row or ``Finding.to_dict()``)."""
        return cls(
            sha256=sha256,
            code=str(finding["code"]),
            section=finding.get("section") or "",
            table=finding.get("table") or "",
            row=finding.get("row") or "",
            column=finding.get("column") or "",
            line=int(finding.get("line") or 0),
        )

    def token(self) -> str:
        """A compact string form for HTML forms (``code|section|table|row|column|line``)."""
        return "|".join((self.code, self.section, self.table, self.row, self.column, str(self.line)))

    @classmethod
    def from_token(cls, sha256: str, token: str) -> PlaceKey:
        parts = token.split("|")
        if len(parts) != 6 or not parts[0]:
            raise ValueError("bad finding key")
        code, section, table, row, column, line = parts
        return cls(sha256, code, section, table, row, column, int(line or 0))


def record(
    con: duckdb.DuckDBPyConnection, key: PlaceKey, decision: str, comment: str | None, reviewer: str | None
) -> dict[str, Any]:
    """Store a decision and return it as stored."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {', '.join(DECISIONS)}")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    comment = (comment or "").strip()[:MAX_COMMENT] or None
    reviewer = (reviewer or "").strip()[:MAX_REVIEWER] or None
    row = con.execute(
        "INSERT INTO decisions (sha256, code, section, table_key, row_key, column_key, line, decision, comment,"
        " reviewer, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [key.sha256, key.code, key.section, key.table, key.row, key.column, key.line, decision, comment, reviewer, now],
    ).fetchone()
    return {
        "id": row[0] if row else None,
        "sha256": key.sha256,
        "code": key.code,
        "section": key.section or None,
        "table": key.table or None,
        "row": key.row or None,
        "column": key.column or None,
        "line": key.line or None,
        "decision": decision,
        "comment": comment,
        "reviewer": reviewer,
        "decided_at": now.isoformat(),
    }


def history(con: duckdb.DuckDBPyConnection, sha256: str) -> list[dict[str, Any]]:
    cur = con.execute(
        "SELECT id, code, section, table_key, row_key, column_key, line, decision, comment, reviewer, decided_at"
        " FROM decisions WHERE sha256 = ? ORDER BY decided_at DESC, id DESC",
        [sha256],
    )
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


__all__ = ["DECISIONS", "JOIN", "STATE", "PlaceKey", "ensure_schema", "history", "record"]
