"""The JSON API under ``/api`` (OpenAPI docs at ``/api/docs``): the same data as the pages.

Every answer is ``{"ok": true, ...}``; every error ``{"ok": false, "error": "...", "status": N}``.
Messages follow ``?lang=en`` like the pages. ``/api`` itself lists the endpoints; the shape of
every answer is an OpenAPI schema (:mod:`.api_models`), shown at ``/api/docs``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from gongkai import __version__
from gongkai.store.queries import reports as q_reports
from gongkai.store.queries.base import as_dict
from gongkai.store.queries.decisions import DecisionKey, list_decisions
from gongkai.store.queries.findings import count_findings, filtered_findings
from gongkai.views.web import decisions
from gongkai.views.web.app import state
from gongkai.views.web.data import Filters, finding_dicts, rule_catalogue
from gongkai.views.web.pages import api_models as m
from gongkai.views.web.render import UI, JSONResponse, request_lang, reviewer_of

router = APIRouter(prefix="/api", responses=m.ERRORS)

MAX_LIMIT = 1000
MAX_OFFSET = 2**31 - 1  # larger offsets are refused (400), not handed to the database

FilterQuery = {
    "province": "省级区划名称，如 湖北省 / province name",
    "city": "地级区划名称 / prefecture name",
    "county": "县级区划名称 / county name",
    "region": "区划代码或名称（420000、4202、黄石市）/ division code or name",
    "year": "报告年度 / report year",
    "code": "规则代码或前缀（B001、B）/ rule code or prefix",
    "severity": "error | warning | info",
    "decision": "open（未驳回，默认）| undecided | confirmed | dismissed | all",
    "q": "机关或乡镇名称 / agency or town name",
}


@router.get("", tags=["index"], summary="This index: the documentation and every endpoint", response_model=m.ApiIndex)
def api_index(request: Request) -> Response:
    """API 索引：文档地址与全部端点。Where the documentation is, and every endpoint of the API."""
    endpoints = []
    for path, item in request.app.openapi().get("paths", {}).items():  # the documented routes, as /api/docs
        if not path.startswith("/api"):
            continue
        for method, op in item.items():
            endpoints.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary") or "",
                    "description": (op.get("description") or "").strip(),
                }
            )
    return JSONResponse(
        {
            "ok": True,
            "name": "gongkai",
            "version": __version__,
            "docs": "/api/docs",
            "openapi": "/api/openapi.json",
            "data": "/data",
            "endpoints": endpoints,
            "twins": "每个网页都有 .json 版本（如 /reports/{id}.json、/regions/420000.json、/index.json）。"
            "Every page has a .json twin (/reports/{id}.json, /regions/420000.json, /index.json).",
        }
    )


@router.get(
    "/data",
    tags=["data"],
    summary="Bulk files: every dataset by year, with sizes and the dictionary",
    response_model=m.DataPage,
)
def api_data(request: Request) -> Response:
    """批量数据文件（每个数据集按年度与全部年度，CSV、Parquet、XLSX）及数据字典（同 /data.json）。
    Every bulk file (dataset × year × format) with its row count and size, and the data dictionary."""
    from gongkai.views.web.pages.data import data_page

    return JSONResponse(data_page(state(request), UI(request_lang(request))).json_data())


def _filters(request: Request) -> Filters:
    return Filters.from_query(request.query_params)


@router.get(
    "/findings", tags=["findings"], summary="Findings across the corpus, filtered", response_model=m.FindingsPage
)
def api_findings(
    request: Request,
    province: Annotated[str | None, Query(description=FilterQuery["province"])] = None,
    city: Annotated[str | None, Query(description=FilterQuery["city"])] = None,
    county: Annotated[str | None, Query(description=FilterQuery["county"])] = None,
    region: Annotated[str | None, Query(description=FilterQuery["region"])] = None,
    year: Annotated[int | None, Query(description=FilterQuery["year"])] = None,
    code: Annotated[str | None, Query(description=FilterQuery["code"])] = None,
    severity: Annotated[str | None, Query(description=FilterQuery["severity"])] = None,
    decision: Annotated[str | None, Query(description=FilterQuery["decision"])] = None,
    q: Annotated[str | None, Query(description=FilterQuery["q"])] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Response:
    """审核发现（含审核结论），按条件筛选，分页。Findings with their review decisions."""
    db = state(request).db
    selection = _filters(request).selection()
    total = count_findings(db.cursor(), selection)
    rows = finding_dicts(db, filtered_findings(db.cursor(), selection, limit, offset))
    return JSONResponse({"ok": True, "total": total, "limit": limit, "offset": offset, "findings": rows})


@router.get("/reports", tags=["reports"], summary="Reports in the corpus, filtered", response_model=m.ReportsPage)
def api_reports(
    request: Request,
    province: Annotated[str | None, Query(description=FilterQuery["province"])] = None,
    city: Annotated[str | None, Query(description=FilterQuery["city"])] = None,
    county: Annotated[str | None, Query(description=FilterQuery["county"])] = None,
    region: Annotated[str | None, Query(description=FilterQuery["region"])] = None,
    year: Annotated[int | None, Query(description=FilterQuery["year"])] = None,
    q: Annotated[str | None, Query(description=FilterQuery["q"])] = None,
    status: Annotated[str, Query(description="ok | failed | all")] = "ok",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Response:
    """报告列表，每份报告附各级别发现数。Reports, each with its finding counts."""
    db = state(request).db
    selection = _filters(request).selection()
    total = q_reports.count_reports(db.cursor(), selection, status)
    rows = db.show_paths([as_dict(r) for r in q_reports.list_reports(db.cursor(), selection, status, limit, offset)])
    for r in rows:
        r["url"] = f"/reports/{r['id']}"
    return JSONResponse({"ok": True, "total": total, "limit": limit, "offset": offset, "reports": rows})


@router.get(
    "/reports/{report_id}",
    tags=["reports"],
    summary="One report: meta, sections, tables, findings",
    response_model=m.ReportPage,
)
def api_report(request: Request, report_id: int) -> Response:
    """一份报告：元数据、章节、统计表数值、审核发现与审核记录（同 /reports/{id}.json）。"""
    from gongkai.views.web.pages.report import report_page

    page = report_page(state(request).db, report_id, UI(request_lang(request)))
    return JSONResponse(page.json_data())


@router.get(
    "/agencies/{agency_key:path}", tags=["agencies"], summary="One agency over the years", response_model=m.AgencyPage
)
def api_agency(
    request: Request,
    agency_key: str,
    column: Annotated[str, Query(description="表三显示的列 / table 三 column")] = "total",
) -> Response:
    """一个机关的历年报告、历年统计表与发现（同 /agencies/{key}.json）。"""
    from gongkai.views.web.pages.agency import agency_page

    page = agency_page(state(request).db, agency_key, UI(request_lang(request)), column)
    return JSONResponse(page.json_data())


@router.get("/regions/{region}", tags=["regions"], summary="One region for one year", response_model=m.RegionPage)
def api_region(
    request: Request,
    region: str,
    year: Annotated[int | None, Query(description="报告年度，默认最近一年 / report year")] = None,
) -> Response:
    """一个地区某一年度：未发布机关、汇总表、排名（同 /regions/{code}.json）。``all`` 为全部地区。"""
    from gongkai.views.web.pages.region import cached_region_page

    page = cached_region_page(state(request), region, UI(request_lang(request)), str(year) if year else None)
    return JSONResponse(page.json_data())


@router.get("/rules", tags=["rules"], summary="The rule catalogue", response_model=m.RulesPage)
def api_rules(request: Request) -> Response:
    """全部审核规则：代码、标题、默认级别、说明。Every rule: code, titles, default severity."""
    return JSONResponse(
        {
            "ok": True,
            "rules": [
                {
                    "code": r.code,
                    "title": r.title_zh,
                    "title_en": r.title_en,
                    "severity": r.severity,
                    "summary": r.summary,
                    "summary_zh": r.summary_zh,
                    "url": f"/rules/{r.code}",
                }
                for r in rule_catalogue().values()
            ],
        }
    )


class DecisionIn(BaseModel):
    report: int = Field(description="报告编号 / report id")
    key: str | None = Field(default=None, description="发现的位置键（页面与 API 中的 key 字段）/ the finding's `key`")
    code: str | None = Field(default=None, description="规则代码（不给 key 时）/ rule code, when no key")
    section: str | None = None
    table: str | None = None
    row: str | None = None
    column: str | None = None
    line: int | None = None
    decision: str = Field(description="confirmed | dismissed | reopened")
    comment: str | None = Field(default=None, max_length=decisions.MAX_COMMENT)
    reviewer: str | None = Field(default=None, max_length=decisions.MAX_REVIEWER)


@router.post(
    "/decisions",
    tags=["decisions"],
    summary="Confirm, dismiss or reopen a finding",
    response_model=m.DecisionStored,
)
def api_decide(request: Request, body: DecisionIn) -> Response:
    """审核一条发现：确认、驳回或重新打开，附意见与审核人。按报告内容（SHA-256）、规则代码和位置保存，
    重新导入、重新审核后仍然有效。"""
    from gongkai.views.web.pages.report import decide

    key = body.key
    if not key:
        if not body.code:
            raise HTTPException(400, detail="key or code")
        key = decisions.key_token(
            DecisionKey(
                "", body.code, body.section or "", body.table or "", body.row or "", body.column or "", body.line or 0
            )
        )
    reviewer = body.reviewer or reviewer_of(request)
    stored = decide(state(request).db, body.report, key, body.decision, body.comment, reviewer)
    return JSONResponse({"ok": True, "decision": stored})


@router.get("/decisions", tags=["decisions"], summary="Review decisions, newest first", response_model=m.DecisionsPage)
def api_decisions(
    request: Request,
    report: Annotated[int | None, Query(description="报告编号 / report id")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Response:
    """审核记录（每次审核一条，最新在前）。Every decision ever taken, newest first."""
    db = state(request).db
    rows = [as_dict(d) for d in list_decisions(db.cursor(), report, limit, offset)]
    return JSONResponse({"ok": True, "decisions": rows})
