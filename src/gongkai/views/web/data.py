"""Queries shared by the pages: the rule catalogue, findings with their review decisions, and the
filters of the problems list.

All SQL of the web app that more than one page needs lives here; page modules hold their own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cache
from typing import Any, TypeGuard

from gongkai.formats import table_names
from gongkai.normalize import fold
from gongkai.views.web import decisions
from gongkai.views.web.db import WebDB

SEVERITY_ORDER = "CASE f.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END"
SEVERITY_NAMES = {"error": ("错误", "error"), "warning": ("警告", "warning"), "info": ("提示", "info")}
DECISION_NAMES = {
    "confirmed": ("已确认", "confirmed"),
    "dismissed": ("已驳回", "dismissed"),
    None: ("待审", "open"),
}
DECISION_FILTERS = ("open", "undecided", "confirmed", "dismissed", "all")
TABLE_NAMES = {k: (zh, en.capitalize()) for k, (zh, en) in table_names().items()}


@dataclass(frozen=True, slots=True)
class RuleInfo:
    code: str
    title_zh: str
    title_en: str
    severity: str
    summary: str = ""


@cache
def rule_catalogue() -> dict[str, RuleInfo]:
    """Every rule the rules package knows, by code (empty if it cannot be loaded)."""
    out: dict[str, RuleInfo] = {}
    try:
        from gongkai.rules import all_rules

        rules: list[Any] = list(all_rules())
    except Exception:
        rules = []
    try:
        from gongkai.rules.year import YEAR_RULES

        rules.extend(r for r in YEAR_RULES if r not in rules)
    except Exception:
        pass
    for rule in rules:
        try:
            summary = rule.summary()
        except Exception:
            summary = ""
        out[rule.code] = RuleInfo(rule.code, rule.title_zh, rule.title_en, rule.severity, summary)
    return dict(sorted(out.items()))


def rule_title(code: str, lang: str) -> str:
    info = rule_catalogue().get(code)
    if info is None:
        return code
    return info.title_en if lang == "en" else info.title_zh


# --- findings ----------------------------------------------------------------------------------

FINDING_COLUMNS = """f.report, f.seq, f.origin, f.code, f.severity, f.message, f.message_en, f.section,
  f."table", f."row", f."column", f.line, f.page, f.figures, f.note, f.related_report,
  r.sha256, r.agency, r.agency_key, r."year", r.province, r.city, r.county, r.region_code, r.path,
  d.decision AS decision, d.comment AS decision_comment, d.reviewer AS decision_reviewer,
  d.decided_at AS decided_at"""

FINDINGS_FROM = f"""findings f JOIN reports r ON r.id = f.report
LEFT JOIN decisions_latest d ON {decisions.JOIN}"""


def finding_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    """A findings row as the pages and the API show it: figures parsed, the place key attached,
    the decision in force (None while undecided)."""
    out = dict(row)
    figures = out.get("figures")
    if isinstance(figures, str):
        try:
            out["figures"] = json.loads(figures)
        except ValueError:
            out["figures"] = {"raw": figures}
    elif figures is None:
        out["figures"] = {}
    decision = out.get("decision")
    out["decision"] = decision if decision in ("confirmed", "dismissed") else None
    if out["decision"] is None:
        out["decision_comment"] = out["decision_reviewer"] = out["decided_at"] = None
    out["key"] = decisions.PlaceKey.of(str(out.get("sha256") or ""), out).token()
    out["anchor"] = f"f-{out.get('origin', 'report')}-{out.get('seq', 0)}"
    out["target"] = place_anchor(out)
    return out


def place_anchor(f: Mapping[str, Any]) -> str:
    """The anchor of a finding's place in the report view: a cell, a row, a table, a section or
    a source line."""
    table, row, column = f.get("table"), f.get("row"), f.get("column")
    if table and row and column:
        return cell_anchor(table, row, column)
    if table and row:
        return row_anchor(table, row)
    if table:
        return f"t-{table}"
    if f.get("section"):
        return f"s-{f['section']}"
    if f.get("line"):
        return f"L{f['line']}"
    return "findings"


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)


def cell_anchor(table: str, row: str, column: str) -> str:
    return f"c-{table}-{_slug(row)}-{column}"


def row_anchor(table: str, row: str) -> str:
    return f"r-{table}-{_slug(row)}"


def figures_text(figures: Mapping[str, Any] | None) -> str:
    if not figures:
        return ""
    parts = []
    for k, v in figures.items():
        parts.append(f"{k}={'空' if v is None else v}")
    return ", ".join(parts)


# --- filters of the problems list ---------------------------------------------------------------


def is_year(text: str | None) -> TypeGuard[str]:
    """A year as a query gives it: ASCII digits only (``"²".isdigit()`` is true), at most four."""
    return text is not None and text.isascii() and text.isdigit() and len(text) <= 4


@dataclass(slots=True)
class Filters:
    province: str = ""
    city: str = ""
    county: str = ""
    region: str = ""  # a division code prefix (420000 / 4202 / 420203) or a name
    year: str = ""
    code: str = ""  # a rule code or a family letter / prefix (B, F00)
    severity: str = ""
    decision: str = "open"
    q: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Filters:
        f = cls()
        for fld in fields(cls):
            value = query.get(fld.name)
            if value is not None:
                setattr(f, fld.name, value.strip()[:100])
        if f.decision not in DECISION_FILTERS:
            f.decision = "open"
        if f.severity not in ("", "error", "warning", "info"):
            f.severity = ""
        if f.year and not is_year(f.year):
            f.year = ""
        return f

    def active(self) -> dict[str, str]:
        out = {}
        for fld in fields(self):
            v = getattr(self, fld.name)
            if v and not (fld.name == "decision" and v == "open"):
                out[fld.name] = v
        return out

    def where(self, *, with_findings: bool = True) -> tuple[str, list[Any]]:
        """SQL over ``reports r`` (and ``findings f`` joined to ``decisions_latest d``)."""
        sql = ["r.status = 'ok'"]
        params: list[Any] = []
        for name in ("province", "city", "county"):
            value = getattr(self, name)
            if value:
                sql.append(f"r.{name} = ?")
                params.append(value)
        if self.region:
            prefix = region_prefix(self.region)
            sql.append("r.region_code LIKE ?")
            params.append((prefix or "\x00") + "%")
        if self.year:
            sql.append('r."year" = ?')
            params.append(int(self.year))
        if self.q:
            # one substring search over the names (ILIKE on five columns is several times slower)
            sql.append(
                "(contains(lower(concat_ws('|', r.agency, r.agency_norm, r.county, r.city, r.title)), ?)"
                " OR contains(lower(concat_ws('|', r.agency, r.agency_norm, r.county, r.city, r.title)), ?))"
            )
            params.extend([self.q.lower(), fold(self.q).lower()])
        if with_findings:
            if self.code:
                sql.append("f.code LIKE ? ESCAPE '\\'")
                params.append(_escape_like(self.code.upper()) + "%")
            if self.severity:
                sql.append("f.severity = ?")
                params.append(self.severity)
            state = decisions.STATE
            if self.decision == "open":
                sql.append(f"({state} IS NULL OR {state} = 'confirmed')")
            elif self.decision == "undecided":
                sql.append(f"{state} IS NULL")
            elif self.decision in ("confirmed", "dismissed"):
                sql.append(f"{state} = ?")
                params.append(self.decision)
        return " AND ".join(sql), params


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def region_prefix(text: str) -> str | None:
    """The division-code prefix of a region given by code or name (None when unknown)."""
    from gongkai.store.regions import RegionNotFound, parse_region

    try:
        return parse_region(text).prefix
    except RegionNotFound:
        return None


# --- small shared queries --------------------------------------------------------------------


def years(db: WebDB) -> list[int]:
    return [r[0] for r in db.tuples('SELECT DISTINCT "year" FROM reports WHERE "year" IS NOT NULL ORDER BY 1 DESC')]


def counts_by_severity(rows: list[Mapping[str, Any]]) -> dict[str, int]:
    out = {"error": 0, "warning": 0, "info": 0}
    for f in rows:
        if f.get("decision") == "dismissed":
            continue
        sev = str(f.get("severity"))
        out[sev] = out.get(sev, 0) + 1
    return out


__all__ = [
    "DECISION_FILTERS",
    "DECISION_NAMES",
    "FINDINGS_FROM",
    "FINDING_COLUMNS",
    "SEVERITY_NAMES",
    "SEVERITY_ORDER",
    "TABLE_NAMES",
    "Filters",
    "RuleInfo",
    "cell_anchor",
    "counts_by_severity",
    "figures_text",
    "finding_dict",
    "is_year",
    "place_anchor",
    "region_prefix",
    "row_anchor",
    "rule_catalogue",
    "rule_title",
    "years",
]
