"""What the pages share: the rule catalogue, findings with their review decisions as the pages and
the API show them, and the filters of the problems list (as a query gives them; the SQL is
:class:`gongkai.store.queries.findings.FindingFilter`'s).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cache
from typing import Any, TypeGuard

from gongkai.formats import table_names
from gongkai.rules.base import SEVERITY_NAMES, unwrap_zh
from gongkai.rules.docs import render_rule_page
from gongkai.store.queries import reports as q_reports
from gongkai.store.queries.base import as_dict
from gongkai.store.queries.findings import FindingFilter, FindingRow
from gongkai.views.web import decisions
from gongkai.views.web.db import WebDB

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
    summary_zh: str = ""
    page_zh: str = ""  # the whole explanation, Markdown, as ``gongkai rules CODE`` prints it
    page_en: str = ""  # … and ``gongkai --lang en rules CODE``

    def text(self, lang: str) -> tuple[str, str]:
        """(title, summary) in *lang*."""
        if lang == "en":
            return self.title_en, self.summary or self.title_en
        return self.title_zh, self.summary_zh or self.title_zh

    def page(self, lang: str) -> str:
        """The whole explanation in *lang* (Markdown)."""
        return (self.page_en if lang == "en" else self.page_zh) or (self.page_zh or self.page_en)


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
        try:
            summary_zh = rule.summary_zh()
        except Exception:
            summary_zh = ""
        pages = {}
        for lang in ("zh", "en"):
            try:
                pages[lang] = render_rule_page(rule, lang)
            except Exception:
                pages[lang] = ""
        out[rule.code] = RuleInfo(
            rule.code, rule.title_zh, rule.title_en, rule.severity, summary, summary_zh, pages["zh"], pages["en"]
        )
    return dict(sorted(out.items()))


@cache
def ledger_catalogue() -> dict[str, RuleInfo]:
    """The codes of ``gongkai ledger`` (L001…, the 编写 page's ledger findings), explained as
    ``gongkai rules L001`` explains them."""
    try:
        from gongkai.ledger.findings import CODES
    except Exception:
        return {}
    out: dict[str, RuleInfo] = {}
    for c in CODES.values():
        zh_doc = unwrap_zh(inspect.cleandoc(c.doc_zh))
        en_doc = inspect.cleandoc(c.doc_en)
        severity_zh = SEVERITY_NAMES.get(c.severity, (c.severity, c.severity))[0]
        page_zh = "\n".join(
            [
                f"# {c.code} {c.name}",
                "",
                f"**{c.title_zh}**",
                "",
                "- 命令：`gongkai ledger`（申请台账，docs/ledger.md；网页的“编写”页读入台账时也用）",
                f"- 默认级别：`{c.severity}`（{severity_zh}）",
                f"- 消息：{c.template_zh}",
                *(f"- 消息 `{k}`：{zh}" for k, (zh, _en) in c.variants.items()),
                "",
                zh_doc,
                "",
            ]
        )
        page_en = "\n".join(
            [
                f"# {c.code} {c.name}",
                "",
                f"**{c.title_en}**",
                "",
                "- Command: `gongkai ledger` (the request ledger, docs/ledger.md; the web's Write page too)",
                f"- Default severity: `{c.severity}`",
                f"- Message: {c.template_en}",
                *(f"- Message `{k}`: {en}" for k, (_zh, en) in c.variants.items()),
                "",
                en_doc,
                "",
            ]
        )
        summary_zh = _first_paragraph(zh_doc, "## 说明") or c.title_zh
        summary_en = " ".join((_first_paragraph(en_doc, "## What it does") or c.title_en).split())
        out[c.code] = RuleInfo(c.code, c.title_zh, c.title_en, c.severity, summary_en, summary_zh, page_zh, page_en)
    return out


def _first_paragraph(text: str, heading: str) -> str:
    if heading not in text:
        return ""
    return text.split(heading, 1)[1].split("##", 1)[0].strip().split("\n\n", 1)[0].strip()


def rule_title(code: str, lang: str) -> str:
    info = rule_catalogue().get(code)
    if info is None:
        return code
    return info.title_en if lang == "en" else info.title_zh


# --- findings ----------------------------------------------------------------------------------


def finding_dicts(db: WebDB, rows: Sequence[FindingRow]) -> list[dict[str, Any]]:
    """Findings as the pages and the API show them (:func:`finding_dict`), paths as shown."""
    return [finding_dict(r) for r in db.show_paths([as_dict(f) for f in rows])]


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
    out["key"] = decisions.key_token(decisions.key_of(str(out.get("sha256") or ""), out))
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

    def selection(self) -> FindingFilter:
        """What the store selects for these filters."""
        return FindingFilter(
            province=self.province,
            city=self.city,
            county=self.county,
            region=self.region,
            year=int(self.year) if self.year else None,
            code=self.code,
            severity=self.severity,
            decision=self.decision,
            q=self.q,
        )


# --- small shared queries --------------------------------------------------------------------


def years(db: WebDB) -> list[int]:
    return q_reports.years(db.cursor())


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
    "SEVERITY_NAMES",
    "TABLE_NAMES",
    "Filters",
    "RuleInfo",
    "cell_anchor",
    "counts_by_severity",
    "figures_text",
    "finding_dict",
    "finding_dicts",
    "is_year",
    "place_anchor",
    "row_anchor",
    "rule_catalogue",
    "rule_title",
    "years",
]
