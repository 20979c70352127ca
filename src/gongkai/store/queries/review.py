"""Reviewing in bulk: findings counted by rule, a rule repeated within a report as one line, and
decisions on many findings at once.

A bulk decision is recorded as one ``decisions`` row per finding place (the key of
:class:`gongkai.store.queries.decisions.DecisionKey`), all with the same decision, comment,
reviewer and time, so that every finding keeps its own history. Findings that share a place
(the same rule at the same place of the same report) share a decision, as they do one by one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from gongkai.store.queries.base import Connection, fetch
from gongkai.store.queries.findings import (
    DECISION_STATE,
    FINDING_COLUMNS,
    FINDINGS_FROM,
    GROUP_KEY,
    SEVERITY_ORDER,
    FindingFilter,
    FindingRow,
    GroupedFinding,
)


@dataclass(frozen=True, slots=True)
class RuleCount:
    """A rule's findings under a filter."""

    code: str
    severity: str  # the worst severity its findings have
    findings: int
    reports: int
    agencies: int
    undecided: int
    confirmed: int
    dismissed: int


@dataclass(frozen=True, slots=True)
class Repeat:
    """A rule's findings in one report, shown as one line: the first of them, how many there are
    under the filter, and the first *per_repeat* of them (the first included)."""

    group_key: str
    count: int
    findings: tuple[FindingRow, ...]

    @property
    def first(self) -> FindingRow:
        return self.findings[0]


@dataclass(frozen=True, slots=True)
class FindingPlace:
    """A finding named by a page: its report and its place (absent parts as '' and 0)."""

    report: int
    code: str
    section: str = ""
    table: str = ""
    row: str = ""
    column: str = ""
    line: int = 0


def rule_counts(con: Connection, flt: FindingFilter) -> list[RuleCount]:
    """Per rule code, the findings *flt* selects: worst severity first, then the most findings."""
    where, params = flt.where()
    state = DECISION_STATE
    return fetch(
        con,
        RuleCount,
        f"""SELECT f.code, arg_min(f.severity, {SEVERITY_ORDER}) AS severity, count(*) AS findings,
          count(DISTINCT f.report) AS reports, count(DISTINCT {GROUP_KEY}) AS agencies,
          count(*) FILTER (WHERE {state} IS NULL) AS undecided,
          count(*) FILTER (WHERE {state} = 'confirmed') AS confirmed,
          count(*) FILTER (WHERE {state} = 'dismissed') AS dismissed
        FROM {FINDINGS_FROM} WHERE {where}
        GROUP BY f.code ORDER BY min({SEVERITY_ORDER}), findings DESC, f.code""",
        params,
    )


def rule_samples(con: Connection, flt: FindingFilter, codes: Sequence[str], per_rule: int) -> list[GroupedFinding]:
    """The first *per_rule* findings of each rule of *codes* that *flt* selects (by agency, year,
    report), with the rule code as their group key."""
    where, params = flt.where()
    order = 'r.agency_key NULLS LAST, r."year" DESC, f.report, f.origin, f.seq'
    cur = con.execute(
        f"""SELECT {FINDING_COLUMNS}, f.code AS group_key FROM {FINDINGS_FROM}
        WHERE {where} AND f.code IN (SELECT unnest(?))
        QUALIFY row_number() OVER (PARTITION BY f.code ORDER BY {order}) <= ?
        ORDER BY f.code, {order}""",
        [*params, list(codes), per_rule],
    )
    return [GroupedFinding(FindingRow(*row[:-1]), row[-1]) for row in cur.fetchall()]


def repeats_of_groups(
    con: Connection, flt: FindingFilter, group_keys: Sequence[str], per_group: int, per_repeat: int
) -> list[Repeat]:
    """The problems list's lines: in each agency group of *group_keys*, a rule's findings in one
    report as one line (:class:`Repeat`), the first *per_group* lines, worst first, latest year
    first; each with its first *per_repeat* findings."""
    where, params = flt.where()
    cur = con.execute(
        f"""WITH x AS (
          SELECT {FINDING_COLUMNS}, {GROUP_KEY} AS group_key, {SEVERITY_ORDER} AS sev,
            count(*) OVER rep AS n,
            row_number() OVER (PARTITION BY f.report, f.code ORDER BY f.origin, f.seq) AS k,
            min(f.origin) OVER rep AS first_origin, min(f.seq) OVER rep AS first_seq
          FROM {FINDINGS_FROM}
          WHERE {where} AND f.report IN (SELECT r.id FROM reports r WHERE {GROUP_KEY} IN (SELECT unnest(?)))
          WINDOW rep AS (PARTITION BY f.report, f.code))
        SELECT * EXCLUDE (sev, first_origin, first_seq, k) FROM (
          SELECT *, dense_rank() OVER (
              PARTITION BY group_key ORDER BY sev, "year" DESC NULLS LAST, report, first_origin, first_seq, code
            ) AS line_no
          FROM x)
        WHERE line_no <= ? AND k <= ?
        ORDER BY group_key, line_no, k""",
        [*params, list(group_keys), per_group, per_repeat],
    )
    out: list[Repeat] = []
    current: tuple[str, int] | None = None
    members: list[FindingRow] = []
    group_key, count = "", 0
    for row in cur.fetchall():
        finding, key, n, line_no = FindingRow(*row[:-3]), row[-3], int(row[-2]), int(row[-1])
        if (key, line_no) != current:
            if members:
                out.append(Repeat(group_key, count, tuple(members)))
            current, members, group_key, count = (key, line_no), [], key, n
        members.append(finding)
    if members:
        out.append(Repeat(group_key, count, tuple(members)))
    return out


# --- decisions on many findings -------------------------------------------------------------------

_INSERT = """INSERT INTO decisions (sha256, code, section, table_key, row_key, column_key, line, decision, comment,
  reviewer, decided_at)"""
_KEY = """DISTINCT r.sha256, f.code, coalesce(f.section, ''), coalesce(f."table", ''), coalesce(f."row", ''),
  coalesce(f."column", ''), coalesce(f.line, 0)"""


def decide_places(
    con: Connection,
    places: Sequence[FindingPlace],
    decision: str,
    comment: str | None,
    reviewer: str | None,
    at: dt.datetime,
) -> int:
    """Record *decision* on each finding of *places* that exists (one row per place); returns how
    many were recorded. One statement: all or none."""
    if not places:
        return 0
    cols = list(zip(*((p.report, p.code, p.section, p.table, p.row, p.column, p.line) for p in places), strict=True))
    cur = con.execute(
        f"""{_INSERT}
        SELECT {_KEY}, ?, ?, ?, ? FROM findings f JOIN reports r ON r.id = f.report
        JOIN (SELECT unnest(?::BIGINT[]) AS report, unnest(?::VARCHAR[]) AS code, unnest(?::VARCHAR[]) AS section,
            unnest(?::VARCHAR[]) AS table_key, unnest(?::VARCHAR[]) AS row_key, unnest(?::VARCHAR[]) AS column_key,
            unnest(?::INTEGER[]) AS line) s
          ON s.report = f.report AND s.code = f.code AND s.section = coalesce(f.section, '')
          AND s.table_key = coalesce(f."table", '') AND s.row_key = coalesce(f."row", '')
          AND s.column_key = coalesce(f."column", '') AND s.line = coalesce(f.line, 0)
        RETURNING id""",
        [decision, comment, reviewer, at, *(list(c) for c in cols)],
    )
    return len(cur.fetchall())


def decide_filtered(
    con: Connection, flt: FindingFilter, decision: str, comment: str | None, reviewer: str | None, at: dt.datetime
) -> int:
    """Record *decision* on every finding *flt* selects (one row per place); returns how many were
    recorded. One statement: all or none."""
    where, params = flt.where()
    cur = con.execute(
        f"{_INSERT} SELECT {_KEY}, ?, ?, ?, ? FROM {FINDINGS_FROM} WHERE {where} RETURNING id",
        [decision, comment, reviewer, at, *params],
    )
    return len(cur.fetchall())


__all__ = [
    "FindingPlace",
    "Repeat",
    "RuleCount",
    "decide_filtered",
    "decide_places",
    "repeats_of_groups",
    "rule_counts",
    "rule_samples",
]
