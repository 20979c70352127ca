"""Review decisions: a reviewer confirms or dismisses a finding, with a comment.

A decision is keyed by what does not change when a report is ingested or checked again: the
report's SHA-256, the rule code and the finding's place (section, table, row, column, line).
Report ids and finding sequence numbers are not part of the key, so a decision survives
re-ingest (the same bytes come back with the same findings at the same places) and re-check.

Decisions are never overwritten: every one is a new row with who decided and when, and the
latest per key is the one in force (view ``decisions_latest``). ``reopen`` takes a finding back
to undecided. Like ruff's ``noqa``, a dismissal is the reviewer's say that a finding is not a
problem in this report. Many findings can be decided at once (:func:`record_many`: a rule's
findings, or any filtered set), each getting a decision of its own. The table is the store's
(:data:`gongkai.store.schema.DECISIONS`, read and written through
:mod:`gongkai.store.queries.decisions` and :mod:`gongkai.store.queries.review`); this module
checks what a reviewer sends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import duckdb

from gongkai.store.queries.base import as_dict
from gongkai.store.queries.decisions import DecisionKey, add_decision, decision_history
from gongkai.store.queries.findings import FindingFilter
from gongkai.store.queries.review import FindingPlace, decide_filtered, decide_places

DECISIONS = ("confirmed", "dismissed", "reopened")
MAX_COMMENT = 2000
MAX_REVIEWER = 80


def key_of(sha256: str, finding: dict[str, Any]) -> DecisionKey:
    """The key of a finding as stored (``findings`` row or ``Finding.to_dict()``)."""
    return DecisionKey(
        sha256=sha256,
        code=str(finding["code"]),
        section=finding.get("section") or "",
        table=finding.get("table") or "",
        row=finding.get("row") or "",
        column=finding.get("column") or "",
        line=int(finding.get("line") or 0),
    )


def key_token(key: DecisionKey) -> str:
    """A compact string form for HTML forms (``code|section|table|row|column|line``)."""
    return "|".join((key.code, key.section, key.table, key.row, key.column, str(key.line)))


def key_from_token(sha256: str, token: str) -> DecisionKey:
    parts = token.split("|")
    if len(parts) != 6 or not parts[0]:
        raise ValueError("bad finding key")
    code, section, table, row, column, line = parts
    return DecisionKey(sha256, code, section, table, row, column, int(line or 0))


def _checked(decision: str, comment: str | None, reviewer: str | None) -> tuple[str | None, str | None, dt.datetime]:
    """The comment and reviewer as stored (trimmed, cut to size, None when empty) and the time."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {', '.join(DECISIONS)}")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    comment = (comment or "").strip()[:MAX_COMMENT] or None
    reviewer = (reviewer or "").strip()[:MAX_REVIEWER] or None
    return comment, reviewer, now


def record(
    con: duckdb.DuckDBPyConnection, key: DecisionKey, decision: str, comment: str | None, reviewer: str | None
) -> dict[str, Any]:
    """Store a decision and return it as stored."""
    comment, reviewer, now = _checked(decision, comment, reviewer)
    new_id = add_decision(con, key, decision, comment, reviewer, now)
    return {
        "id": new_id,
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


def record_many(
    con: duckdb.DuckDBPyConnection,
    selection: FindingFilter | Sequence[FindingPlace],
    decision: str,
    comment: str | None,
    reviewer: str | None,
) -> int:
    """Store *decision* on every finding of *selection* — what a filter selects, or the findings
    named — as a decision of its own (the same comment, reviewer and time); returns how many."""
    comment, reviewer, now = _checked(decision, comment, reviewer)
    if isinstance(selection, FindingFilter):
        return decide_filtered(con, selection, decision, comment, reviewer, now)
    return decide_places(con, selection, decision, comment, reviewer, now)


def place_of(report: int, token: str) -> FindingPlace:
    """A finding of report *report* named by its :func:`key_token`; ValueError if malformed."""
    key = key_from_token("", token)
    return FindingPlace(report, key.code, key.section, key.table, key.row, key.column, key.line)


def history(con: duckdb.DuckDBPyConnection, sha256: str) -> list[dict[str, Any]]:
    return [as_dict(d) for d in decision_history(con, sha256)]


__all__ = ["DECISIONS", "history", "key_from_token", "key_of", "key_token", "place_of", "record", "record_many"]
