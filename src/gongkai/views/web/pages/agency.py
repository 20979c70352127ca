"""Agency (``/agencies/{agency_key}``): one body's reports by year, its tables side by side year
over year with the changes marked, charts of requests and outcomes over the years, and its
findings.

Table 三 is shown for one column at a time (``?column=total``, the default); the downloads carry
every column. Twins: ``.json``, ``.csv?table=requests`` and so on, ``.xlsx``.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from gongkai.formats import load_format
from gongkai.store.queries import agency as q_agency
from gongkai.store.queries.base import as_dict
from gongkai.store.queries.findings import finding_counts, reports_findings
from gongkai.views.web.app import state
from gongkai.views.web.data import TABLE_NAMES, finding_dicts, rule_title
from gongkai.views.web.db import WebDB
from gongkai.views.web.metrics import OUTCOMES, line_chart, metrics, report_metrics
from gongkai.views.web.render import UI, Column, DataTable, Page, request_lang, respond, split_ext

router = APIRouter()


def _formats_newest_first(reports: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    for r in reversed(reports):
        f = r.get("format")
        if f in ("2019", "2021") and f not in out:
            out.append(f)
    return out or ["2021"]


def _lines(table: str, formats: list[str], requests_column: str | None) -> list[tuple[str, str, str, str]]:
    """(row key, row label, column key, column label) of the table, union over the formats."""
    out: list[tuple[str, str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for fid in formats:
        spec = load_format(fid).tables[table]
        for rkey, rspec in spec.rows.items():
            cols = rspec.columns
            if table == "requests" and requests_column is not None:
                cols = tuple(c for c in cols if c == requests_column)
            for ckey in cols:
                if (rkey, ckey) not in seen:
                    seen.add((rkey, ckey))
                    out.append((rkey, rspec.label, ckey, spec.columns[ckey].label))
    return out


def _delta(cur: Any, prev: Any) -> tuple[str, Any]:
    if cur is None or prev is None:
        return "", None
    d = Decimal(cur) - Decimal(prev)
    if d > 0:
        return "up", d
    if d < 0:
        return "down", d
    return "same", d


def agency_page(db: WebDB, key: str, ui: UI, requests_column: str = "total") -> Page:
    reports = db.show_paths([as_dict(r) for r in q_agency.agency_reports(db.cursor(), key)])
    if not reports:
        raise HTTPException(404, detail=ui.t("没有这个机关的报告。", "No reports of this agency."))
    ids = [r["id"] for r in reports]
    year_count: dict[Any, int] = defaultdict(int)
    for r in reports:
        year_count[r["year"]] += 1
        n = year_count[r["year"]]
        r["label"] = f"{r['year'] or '?'}" + (f" ({n})" if n > 1 else "")
    counts = {c.report: as_dict(c) for c in finding_counts(db.cursor(), ids)}
    for r in reports:
        c = counts.get(r["id"], {})
        r.update({k: c.get(k, 0) for k in ("errors", "warnings", "infos", "dismissed")})

    values: dict[int, dict[tuple[str, str, str], Any]] = defaultdict(dict)
    for v in q_agency.format_cells(db.cursor(), ids):
        values[v.report][(v.table_key, v.row_key, v.column_key)] = v.value

    formats = _formats_newest_first(reports)
    spec_requests = load_format(formats[0]).tables["requests"]
    if requests_column not in spec_requests.columns:
        requests_column = "total"
    yoy: list[dict[str, Any]] = []
    downloads: dict[str, DataTable] = {}
    report_cols = [Column(f"r{r['id']}", r["label"], r["label"]) for r in reports]
    for tkey in ("proactive", "requests", "appeals"):
        shown = _lines(tkey, formats, requests_column if tkey == "requests" else None)
        lines = []
        for rkey, rlabel, ckey, clabel in shown:
            cells = []
            prev: Any = None
            have = False
            for r in reports:
                cur = values[r["id"]].get((tkey, rkey, ckey))
                cls, delta = _delta(cur, prev)
                cells.append({"value": cur, "cls": cls, "delta": delta})
                if cur is not None:
                    prev = cur
                    have = True
            if have:
                lines.append(
                    {
                        "row": rkey,
                        "row_label": rlabel,
                        "column": ckey,
                        "column_label": clabel,
                        "cells": cells,
                        "changed": any(c["cls"] in ("up", "down") for c in cells),
                    }
                )
        tname = TABLE_NAMES[tkey]
        yoy.append({"key": tkey, "title": ui.t(tname[0], tname[1]), "lines": lines})
        table = DataTable(
            tkey,
            tname[0],
            tname[1],
            [
                Column("row_key", "行键", "Row key"),
                Column("row_label", "行", "Row"),
                Column("column_key", "列键", "Column key"),
                Column("column_label", "列", "Column"),
                *report_cols,
            ],
        )
        for rkey, rlabel, ckey, clabel in _lines(tkey, formats, None):
            vals = [values[r["id"]].get((tkey, rkey, ckey)) for r in reports]
            if any(v is not None for v in vals):
                table.rows.append([rkey, rlabel, ckey, clabel, *vals])
        downloads[tkey] = table

    m = report_metrics(db, ids)
    cats = [r["label"] for r in reports]
    ms = metrics()

    def series(*keys: str) -> list[tuple[str, list[Any]]]:
        return [(ui.t(ms[k].zh, ms[k].en), [m.get(r["id"], {}).get(k) for r in reports]) for k in keys]

    charts = {
        "chart-requests": line_chart(
            ui.t("申请数量", "Requests"), cats, series("new", "carried_over", "handled", "carried_forward")
        ),
        "chart-outcomes": line_chart(ui.t("办理结果", "Outcomes"), cats, series(*OUTCOMES), kind="bar", stack=True),
        "chart-appeals": line_chart(
            ui.t("复议与诉讼", "Review and litigation"),
            cats,
            series("review", "review_corrected", "litigation", "litigation_corrected"),
            kind="bar",
        ),
    }

    findings = [
        f | {"rule_title": rule_title(str(f["code"]), ui.lang)}
        for f in finding_dicts(db, reports_findings(db.cursor(), ids))
    ]
    latest = reports[-1]
    rep_table = DataTable(
        "reports",
        "报告",
        "Reports",
        [
            Column("id", "编号", "Id"),
            Column("year", "年度", "Year"),
            Column("agency", "机关（原文）", "Agency as written"),
            Column("format", "格式", "Format"),
            Column("signed_on", "成文日期", "Signed"),
            Column("published_on", "发布日期", "Published"),
            Column("errors", "错误", "Errors"),
            Column("warnings", "警告", "Warnings"),
            Column("infos", "提示", "Notes"),
            Column("path", "文件", "File"),
        ],
    )
    rep_table.rows = [[r.get(c.key) for c in rep_table.columns] for r in reports]
    fcols = [
        Column("year", "年度", "Year"),
        Column("code", "规则", "Rule"),
        Column("severity", "级别", "Severity"),
        Column("message", "说明", "Message"),
        Column("message_en", "说明（英文）", "Message (English)"),
        Column("table", "表", "Table"),
        Column("row", "行", "Row"),
        Column("column", "列", "Column"),
        Column("line", "行号", "Line"),
        Column("decision", "审核结论", "Decision"),
        Column("report", "报告编号", "Report id"),
    ]
    ftable = DataTable("findings", "审核发现", "Findings", fcols)
    ftable.rows = [[f.get(c.key) for c in fcols] for f in findings]

    data = {
        "agency_key": key,
        "agency": latest["agency"],
        "region": {k: latest[k] for k in ("province", "city", "county", "region_code")},
        "reports": reports,
        "metrics": {str(r["id"]): m.get(r["id"], {}) for r in reports},
        "findings": findings,
    }
    return Page(
        template="agency.html",
        title=str(latest["agency"] or key),
        data=data,
        tables={"reports": rep_table, **downloads, "findings": ftable},
        extra={
            "reports": reports,
            "yoy": yoy,
            "charts": charts,
            "findings": findings,
            "latest": latest,
            "requests_column": requests_column,
            "requests_columns": [(k, c.label) for k, c in spec_requests.columns.items()],
        },
        filename=f"gongkai-agency-{latest['region_code'] or 'x'}",
    )


@router.get("/agencies/{key:path}", include_in_schema=False)
def agency(request: Request, key: str) -> Response:
    base, fmt = split_ext(key)
    ui = UI(request_lang(request))
    page = agency_page(state(request).db, base, ui, request.query_params.get("column") or "total")
    return respond(request, page, fmt)
