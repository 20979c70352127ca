"""Problems first (``/``): the corpus's findings grouped by agency, worst first.

Filters: region (province / city / county, or any division code or name as ``region``), year,
rule (a code or a family prefix), severity, review state; ``q`` searches agency and town names.
The filter bar always shows the province, city and county selects (:mod:`gongkai.views.web.places`):
a city or county chosen alone shows its province (and city) above it, and a ``region`` from the
address (the region pages link ``/?region=4202``) is shown in them by name.
Twins: ``/index.json``, ``/index.csv?table=findings``, ``/index.xlsx``, ``/index.zip``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gongkai.store.queries import index as q_index
from gongkai.store.queries import reports as q_reports
from gongkai.store.queries.base import as_dict
from gongkai.store.queries.findings import code_counts, findings_by_agency
from gongkai.store.queries.review import repeats_of_groups
from gongkai.views.web.app import state
from gongkai.views.web.data import Filters, finding_dict, finding_dicts, rule_catalogue, years
from gongkai.views.web.db import WebDB
from gongkai.views.web.places import filter_places
from gongkai.views.web.render import UI, DataTable, Page, columns, request_lang, respond
from gongkai.views.web.workbooks import findings_workbook

router = APIRouter()

GROUPS_PER_PAGE = 40
FINDINGS_PER_GROUP = 8  # lines: a rule repeated within a report is one line
REPEAT_SHOWN = 20  # the findings a repeated line opens onto
DOWNLOAD_LIMIT = 100_000
FAILED_SHOWN = 20


def _int(value: str | None, default: int, lo: int = 1, hi: int = 1_000_000) -> int:
    try:
        return max(lo, min(hi, int(value or default)))
    except ValueError:
        return default


TOTALS = ("errors", "warnings", "infos", "undecided", "reports_with_findings")


def _groups(db: WebDB, filters: Filters, page_no: int) -> q_index.GroupPage:
    """One page of agency groups, worst first, with the totals over all groups."""
    offset = (page_no - 1) * GROUPS_PER_PAGE
    return q_index.agency_groups(db.cursor(), filters.selection(), GROUPS_PER_PAGE, offset)


def index_page(db: WebDB, filters: Filters, page_no: int, ui: UI, *, download: bool = False) -> Page:
    result = _groups(db, filters, page_no)
    if not result.groups and page_no > 1:
        page_no = 1
        result = _groups(db, filters, page_no)
    totals = {k: getattr(result.totals, k) for k in TOTALS}
    total_groups = result.totals.groups
    pages = max(1, -(-total_groups // GROUPS_PER_PAGE))
    groups = [as_dict(g) | {"years": list(g.years)} for g in result.groups]
    keys = [g["agency_key"] for g in groups]
    by_key: dict[str, list[dict[str, Any]]] = {k: [] for k in keys}
    if keys:
        # A rule repeated within a report is one line with its count, opening onto its findings.
        lines = repeats_of_groups(db.cursor(), filters.selection(), keys, FINDINGS_PER_GROUP, REPEAT_SHOWN)
        for line in lines:
            members = [finding_dict(row) for row in db.show_paths([as_dict(f) for f in line.findings])]
            by_key[line.group_key].append(members[0] | {"repeat": line.count, "repeated": members[1:]})
    for g in groups:
        g["findings_shown"] = by_key.get(g["agency_key"], [])
        g["shown_count"] = sum(f["repeat"] for f in g["findings_shown"])
        g["has_agency"] = not str(g["agency_key"]).startswith("#")
        g["first_report"] = g["findings_shown"][0]["report"] if g["findings_shown"] else None

    facets = _facets(db, filters)
    summary = _summary(db, filters, totals)
    failed = db.show_paths([as_dict(f) for f in q_reports.failed_reports(db.cursor(), FAILED_SHOWN)])
    data: dict[str, Any] = {
        "filters": filters.active(),
        "summary": summary,
        "page": page_no,
        "pages": pages,
        "agencies_total": total_groups,
        "groups": [
            {k: v for k, v in g.items() if k not in ("findings_shown", "has_agency", "first_report", "shown_count")}
            | {"findings": g["findings_shown"]}
            for g in groups
        ],
        "failed": failed,
    }
    tables = {"findings": _findings_table(db, filters)} if download else {}
    return Page(
        template="index.html",
        title=ui.t("问题", "Problems"),
        data=data,
        tables=tables,
        extra={"groups": groups, "facets": facets, "filters": filters},
        filename="gongkai-findings",
    )


_FINDINGS_COLUMNS = columns(
    ("agency", "机关", "Agency"),
    ("year", "年度", "Year"),
    ("province", "省", "Province"),
    ("city", "市", "City"),
    ("county", "县/区", "County"),
    ("code", "规则", "Rule"),
    ("severity", "级别", "Severity"),
    ("message", "说明", "Message"),
    ("message_en", "说明（英文）", "Message (English)"),
    ("section", "章节", "Section"),
    ("table", "表", "Table"),
    ("row", "行", "Row"),
    ("column", "列", "Column"),
    ("line", "行号", "Line"),
    ("figures", "数值", "Figures"),
    ("decision", "审核结论", "Decision"),
    ("decision_reviewer", "审核人", "Reviewer"),
    ("decided_at", "审核时间", "Decided at"),
    ("decision_comment", "审核意见", "Comment"),
    ("report", "报告编号", "Report id"),
    ("path", "文件", "File"),
)


def _findings_table(db: WebDB, filters: Filters) -> DataTable:
    rows = findings_by_agency(db.cursor(), filters.selection(), DOWNLOAD_LIMIT)
    table = DataTable("findings", "审核发现", "Findings", _FINDINGS_COLUMNS)
    for f in finding_dicts(db, rows):
        table.rows.append([f.get(c.key) for c in table.columns])
    return table


def _summary(db: WebDB, filters: Filters, totals: dict[str, int]) -> dict[str, Any]:
    counts = q_index.corpus_counts(db.cursor(), filters.selection())
    return {**as_dict(counts), **totals}


def _facets(db: WebDB, filters: Filters) -> dict[str, Any]:
    present = {c.code: c.findings for c in code_counts(db.cursor())}
    catalogue = rule_catalogue()
    rules = [
        {"code": code, "count": present.get(code, 0), "info": catalogue.get(code)}
        for code in sorted(set(present) | set(catalogue))
    ]
    return {"years": years(db), "rules": rules, **filter_places(db, filters)}


def _respond(request: Request, fmt: str) -> Response:
    db = state(request).db
    filters = Filters.from_query(request.query_params)
    page_no = _int(request.query_params.get("page"), 1)
    ui = UI(request_lang(request))
    if fmt == "xlsx":  # the findings sheet of gongkai export, read as it is written
        page = Page("index.html", ui.t("问题", "Problems"), {}, filename="gongkai-findings")
        page.workbook = findings_workbook(db, filters.selection())
        return respond(request, page, fmt)
    download = fmt in ("csv", "json") and _wants_all(request, fmt)
    if download:
        # Every finding: built for this download and let go, not kept in the page cache (twenty
        # such pages held at once kept gigabytes; at most two are built at a time, see guards).
        return respond(request, index_page(db, filters, page_no, ui, download=True), fmt)
    key = ("index", tuple(sorted(filters.active().items())), page_no, ui.lang)
    page = db.cached(key, lambda: index_page(db, filters, page_no, ui, download=False))
    return respond(request, page, fmt)


def _wants_all(request: Request, fmt: str) -> bool:
    # The JSON twin lists findings grouped per page; the full flat list is ?table=findings / CSV.
    return fmt != "json" or request.query_params.get("table") == "findings"


@router.get("/", include_in_schema=False)
def index(request: Request) -> Response:
    return _respond(request, "html")


@router.get("/index.{fmt}", include_in_schema=False)
def index_twin(request: Request, fmt: str) -> Response:
    if fmt not in ("json", "csv", "xlsx", "zip"):
        from fastapi import HTTPException

        raise HTTPException(404)
    return _respond(request, fmt)
