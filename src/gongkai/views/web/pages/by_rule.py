"""Problems by rule, and decisions on many findings at once.

- ``/by-rule``: the problems list's findings (the same filters: region, year, rule, severity,
  review state, search) counted per rule code — severity, title, findings, reports, agencies,
  review state — each rule opening onto its first findings and a form that confirms or dismisses
  all of them with one comment. Twins: ``.json``, ``.csv?table=rules``, ``.xlsx``.
- ``/rules/{code}/findings``: one rule's findings under the filters, a page at a time, each with
  a checkbox; the form decides the findings ticked, or every finding the filter selects. Twins:
  ``.json`` (the page), ``.csv`` and ``.xlsx`` (every finding: gongkai export's findings sheet).
- ``POST /findings/decisions``: the forms' target (or JSON, ``Accept: application/json``). The
  selection is the findings named (``f=<report>:<key>``, many) or a filter (``filter=<query>``)
  with the count the reviewer was shown (``expected``): if the filter now selects another number
  of findings the request is refused (409) rather than deciding findings nobody saw. Every
  finding gets a decision of its own (the same comment, reviewer and time), so its history on
  the report page is as if decided one by one. Like every request that changes data, it must
  come from the app's own pages (the ``Origin`` check of :mod:`gongkai.views.web.app`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from gongkai.store.queries.base import as_dict
from gongkai.store.queries.findings import count_findings, filtered_findings
from gongkai.store.queries.review import rule_counts, rule_samples
from gongkai.store.xlsx import Context, Scope, findings_sheet
from gongkai.views.web import decisions
from gongkai.views.web.app import state, wants_json
from gongkai.views.web.data import SEVERITY_NAMES, Filters, finding_dict, finding_dicts, rule_catalogue, years
from gongkai.views.web.db import WebDB
from gongkai.views.web.places import filter_places
from gongkai.views.web.render import (
    UI,
    Column,
    DataTable,
    JSONResponse,
    Page,
    base_url,
    request_lang,
    respond,
    reviewer_of,
    set_reviewer,
    split_ext,
)
from gongkai.views.web.workbooks import findings_workbook

router = APIRouter()

SAMPLES_PER_RULE = 10
PER_PAGE = 100
MAX_NAMED = 2_000  # findings ticked in one request (the form carries at most a page of them)
MAX_BULK = 50_000  # findings one filtered decision may record
DOWNLOAD_LIMIT = 100_000
ACTIONS = {"confirmed": ("确认", "confirmed"), "dismissed": ("驳回", "dismissed"), "reopened": ("重新打开", "reopened")}
_CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def _int(value: str | None, default: int) -> int:
    try:
        return max(1, int(value or default))
    except ValueError:
        return default


def _query(filters: Filters, **extra: Any) -> str:
    """The filters as a query string, *extra* replacing some (None drops one), for links and the
    forms' ``filter`` field."""
    items = {**filters.active(), **extra}
    return urlencode({k: v for k, v in items.items() if v not in (None, "")})


def _done(request: Request, ui: UI) -> str | None:
    """The notice after a bulk decision (``?done=dismissed&n=12``)."""
    done, n = request.query_params.get("done"), request.query_params.get("n")
    if done not in decisions.DECISIONS or not (n or "").isdigit():
        return None
    what = {
        "confirmed": ("确认", "confirmed"),
        "dismissed": ("驳回", "dismissed"),
        "reopened": ("重新打开", "reopened"),
    }
    zh, en = what[str(done)]
    return ui.t(
        f"已{zh} {n} 条发现：每条单独记为一次审核，报告页的审核记录里可以看到。",
        f"{n} findings {en}: each recorded as a decision of its own, shown in its report's review history.",
    )


# --- /by-rule -----------------------------------------------------------------------------------


def by_rule_page(db: WebDB, filters: Filters, ui: UI) -> Page:
    cur = db.cursor()
    flt = filters.selection()
    counts = rule_counts(cur, flt)
    catalogue = rule_catalogue()
    samples: dict[str, list[dict[str, Any]]] = {c.code: [] for c in counts}
    if counts:
        shown = rule_samples(cur, flt, [c.code for c in counts], SAMPLES_PER_RULE)
        for row in db.show_paths([as_dict(s.finding) | {"group_key": s.group_key} for s in shown]):
            samples[row["group_key"]].append(finding_dict(row))
    rules = []
    for c in counts:
        info = catalogue.get(c.code)
        rules.append(
            as_dict(c)
            | {
                "title": ui.t(info.title_zh, info.title_en) if info else c.code,
                "title_zh": info.title_zh if info else None,
                "title_en": info.title_en if info else None,
                "query": _query(filters, code=c.code),  # what its bulk form decides
                "list_query": _query(filters, code=None),  # its page's filters (the code is the path)
                "findings_shown": samples[c.code],
            }
        )
    table = DataTable(
        "rules",
        "按规则",
        "By rule",
        [
            Column("code", "规则", "Rule"),
            Column("severity", "级别", "Severity"),
            Column("title", "标题", "Title"),
            Column("findings", "发现", "Findings"),
            Column("reports", "报告", "Reports"),
            Column("agencies", "机关", "Agencies"),
            Column("undecided", "待审", "Undecided"),
            Column("confirmed", "已确认", "Confirmed"),
            Column("dismissed", "已驳回", "Dismissed"),
        ],
    )
    for r in rules:  # the severity in words, as the page shows it
        words = ui.t(*SEVERITY_NAMES.get(str(r["severity"]), (r["severity"], r["severity"])))
        table.rows.append([words if c.key == "severity" else r[c.key] for c in table.columns])
    totals = {k: sum(int(r[k]) for r in rules) for k in ("findings", "undecided", "confirmed", "dismissed")}
    data = {
        "filters": filters.active(),
        "totals": totals,
        "rules": [
            {k: v for k, v in r.items() if k not in ("findings_shown", "query", "list_query", "title")}
            | {"samples": r["findings_shown"]}
            for r in rules
        ],
    }
    return Page(
        template="by_rule.html",
        title=ui.t("问题 · 按规则", "Problems by rule"),
        data=data,
        tables={"rules": table},
        extra={
            "rules": rules,
            "filters": filters,
            "years": years(db),
            "totals": totals,
            "query": _query(filters),
            "facets": filter_places(db, filters),
        },
        filename="gongkai-by-rule",
    )


@router.get("/by-rule{ext:path}", include_in_schema=False)
def by_rule(request: Request, ext: str) -> Response:
    base, fmt = split_ext("by-rule" + ext)
    if base != "by-rule":
        raise HTTPException(404)
    db = state(request).db
    ui = UI(request_lang(request))
    filters = Filters.from_query(request.query_params)
    key = ("by-rule", tuple(sorted(filters.active().items())), ui.lang)
    page = db.cached(key, lambda: by_rule_page(db, filters, ui))
    page = replace(page, extra={**page.extra, "done": _done(request, ui)})  # the cached page stays as built
    return respond(request, page, fmt)


# --- /rules/{code}/findings ---------------------------------------------------------------------


def rule_findings_page(db: WebDB, code: str, filters: Filters, page_no: int, ui: UI) -> Page:
    cur = db.cursor()
    flt = filters.selection()
    total = count_findings(cur, flt)
    pages = max(1, -(-total // PER_PAGE))
    page_no = min(page_no, pages)
    rows = finding_dicts(db, filtered_findings(cur, flt, PER_PAGE, (page_no - 1) * PER_PAGE))
    counts = {c.code: c for c in rule_counts(cur, flt)}
    info = rule_catalogue().get(code)
    rule = {
        "code": code,
        "title": ui.t(info.title_zh, info.title_en) if info else code,
        "title_zh": info.title_zh if info else None,
        "title_en": info.title_en if info else None,
        "severity": info.severity if info else (rows[0]["severity"] if rows else None),
        "summary": ui.t(info.summary_zh or info.summary, info.summary) if info else "",
    }
    stats = as_dict(counts[code]) if code in counts else {"findings": 0, "reports": 0, "agencies": 0}
    data = {
        "rule": rule,
        "filters": filters.active(),
        "total": total,
        "page": page_no,
        "pages": pages,
        "stats": stats,
        "findings": rows,
    }
    page = Page(
        template="rule_findings.html",
        title=f"{code} {rule['title']}",
        data=data,
        extra={
            "rule": rule,
            "findings": rows,
            "filters": filters,
            "stats": stats,
            "years": years(db),
            "query": _query(filters),
            "back_query": _query(filters, code=None),
            "expected": total,
            "facets": filter_places(db, filters),
        },
        filename=f"gongkai-{code}-findings",
        workbook=findings_workbook(db, flt),
    )
    return page


def _findings_csv_table(db: WebDB, filters: Filters, ui: UI, base_url: str) -> DataTable:
    """Every finding the filter selects as the findings sheet has them (links as their address)."""
    sheet = findings_sheet(db.cursor(), Scope(filters.selection()), Context(ui.lang, base_url))
    table = DataTable("findings", "审核发现", "Findings", [Column(c.key, c.zh, c.en) for c in sheet.columns])
    for i, row in enumerate(sheet.rows):
        if i >= DOWNLOAD_LIMIT:
            break
        table.rows.append([getattr(v, "url", v) for v in row])
    return table


@router.get("/rules/{code}/findings{ext:path}", include_in_schema=False)
def rule_findings(request: Request, code: str, ext: str) -> Response:
    base, fmt = split_ext("findings" + ext)
    code = code.upper()
    if base != "findings" or not code or len(code) > 8 or not set(code) <= _CODE_CHARS:
        raise HTTPException(404)
    db = state(request).db
    ui = UI(request_lang(request))
    filters = Filters.from_query(request.query_params)
    filters.code = code
    page = rule_findings_page(db, code, filters, _int(request.query_params.get("page"), 1), ui)
    if fmt == "csv":
        page.tables = {"findings": _findings_csv_table(db, filters, ui, base_url(request))}
    page.extra["done"] = _done(request, ui)
    return respond(request, page, fmt)


# --- POST /findings/decisions -------------------------------------------------------------------


def _next_url(value: str) -> str:
    """Where to go back to: a path of this site, never another one."""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return "/by-rule"
    return value


def _with_done(url: str, decision: str, n: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("done", "n", "page")]
    query += [("done", decision), ("n", str(n))]
    return f"{parts.path}?{urlencode(query)}{'#' + quote(parts.fragment) if parts.fragment else ''}"


def _refuse(status: int, zh: str, en: str, ui: UI) -> HTTPException:
    return HTTPException(status, detail=ui.t(zh, en))


@router.post("/findings/decisions", include_in_schema=False)
async def bulk_decide(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=MAX_NAMED + 20)
    ui = UI(request_lang(request))
    db = state(request).db
    decision = str(form.get("decision") or "")
    if decision not in decisions.DECISIONS:
        raise _refuse(
            400, f"审核结论应为 {' | '.join(decisions.DECISIONS)}", "decision: confirmed | dismissed | reopened", ui
        )
    reviewer = str(form.get("reviewer") or reviewer_of(request) or "").strip()
    if not reviewer:
        raise _refuse(400, "批量审核须填写审核人。", "A bulk decision needs the reviewer's name.", ui)
    comment = str(form.get("comment") or "")
    named = [str(v) for v in form.getlist("f")]
    scope = str(form.get("scope") or ("selected" if named else "filter"))

    if scope == "selected":
        if not named:
            raise _refuse(400, "没有勾选任何发现。", "No finding is ticked.", ui)
        if len(named) > MAX_NAMED:
            raise _refuse(400, f"一次最多勾选 {MAX_NAMED} 条。", f"At most {MAX_NAMED} findings at once.", ui)
        try:
            places = [decisions.place_of(int(rid), token) for rid, _, token in (v.partition(":") for v in named)]
        except ValueError:
            raise _refuse(400, "发现编号有误。", "Bad finding key.", ui) from None

        def run() -> int:
            with db.writing() as con:
                return decisions.record_many(con, places, decision, comment, reviewer)

    elif scope == "filter":
        filters = Filters.from_query(dict(parse_qsl(str(form.get("filter") or ""))))
        flt = filters.selection()
        expected = str(form.get("expected") or "")
        if not expected.isdigit():
            raise _refuse(400, "缺少页面显示的发现数（expected）。", "The count shown (expected) is missing.", ui)

        def run() -> int:
            with db.writing() as con:
                now = count_findings(con, flt)
                if now != int(expected):
                    raise _refuse(
                        409,
                        f"筛选结果已经变化：现在是 {now} 条，页面显示时是 {expected} 条。请刷新页面再试。",
                        f"The selection changed: {now} findings now, {expected} when the page was shown. "
                        "Reload the page and try again.",
                        ui,
                    )
                if now > MAX_BULK:
                    raise _refuse(
                        400,
                        f"一次最多处理 {MAX_BULK} 条：请按地区或年度缩小范围。",
                        f"At most {MAX_BULK} findings at once: narrow by region or year.",
                        ui,
                    )
                return decisions.record_many(con, flt, decision, comment, reviewer)

    else:
        raise _refuse(400, "scope 应为 selected 或 filter。", "scope: selected | filter", ui)

    recorded = await run_in_threadpool(run)
    if wants_json(request) or "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"ok": True, "decision": decision, "recorded": recorded})
    resp = RedirectResponse(_with_done(_next_url(str(form.get("next") or "")), decision, recorded), status_code=303)
    set_reviewer(resp, reviewer)
    return resp


__all__ = ["ACTIONS", "bulk_decide", "by_rule", "by_rule_page", "router", "rule_findings", "rule_findings_page"]
