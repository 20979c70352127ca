"""Problems first (``/``): the corpus's findings grouped by agency, worst first.

Filters: region (province / city / county, or any division code or name as ``region``), year,
rule (a code or a family prefix), severity, review state; ``q`` searches agency and town names.
Twins: ``/index.json``, ``/index.csv?table=findings``, ``/index.xlsx``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gongkai.views.web.app import state
from gongkai.views.web.data import (
    FINDING_COLUMNS,
    FINDINGS_FROM,
    SEVERITY_ORDER,
    Filters,
    finding_dict,
    rule_catalogue,
    years,
)
from gongkai.views.web.db import WebDB
from gongkai.views.web.render import UI, DataTable, Page, columns, request_lang, respond

router = APIRouter()

GROUPS_PER_PAGE = 40
FINDINGS_PER_GROUP = 8
DOWNLOAD_LIMIT = 100_000


def _int(value: str | None, default: int, lo: int = 1, hi: int = 1_000_000) -> int:
    try:
        return max(lo, min(hi, int(value or default)))
    except ValueError:
        return default


TOTALS = ("errors", "warnings", "infos", "undecided", "reports_with_findings")


def _groups(db: WebDB, where: str, params: list[Any], page_no: int) -> list[dict[str, Any]]:
    """One page of agency groups, worst first, each row also carrying the totals over all groups."""
    return db.rows(
        f"""WITH g AS (
          SELECT {GROUP_KEY} AS agency_key, arg_max(r.agency, r."year") AS agency,
            any_value(r.province) AS province, any_value(r.city) AS city, any_value(r.county) AS county,
            any_value(r.region_code) AS region_code,
            count(DISTINCT r.id) AS reports, list(DISTINCT r."year" ORDER BY r."year") AS years,
            count(*) FILTER (WHERE f.severity = 'error') AS errors,
            count(*) FILTER (WHERE f.severity = 'warning') AS warnings,
            count(*) FILTER (WHERE f.severity = 'info') AS infos,
            count(*) FILTER (WHERE d.decision IS NULL OR d.decision = 'reopened') AS undecided,
            count(*) AS findings
          FROM {FINDINGS_FROM} WHERE {where}
          GROUP BY 1)
        SELECT *, count(*) OVER () AS n_groups, sum(errors) OVER () AS t_errors,
          sum(warnings) OVER () AS t_warnings, sum(infos) OVER () AS t_infos,
          sum(undecided) OVER () AS t_undecided, sum(reports) OVER () AS t_reports_with_findings
        FROM g
        ORDER BY errors DESC, warnings DESC, findings DESC, agency, agency_key
        LIMIT ? OFFSET ?""",
        [*params, GROUPS_PER_PAGE, (page_no - 1) * GROUPS_PER_PAGE],
    )


GROUP_KEY = "coalesce(r.agency_key, '#' || CAST(r.id AS VARCHAR))"


def index_page(db: WebDB, filters: Filters, page_no: int, ui: UI, *, download: bool = False) -> Page:
    where, params = filters.where()
    group_key = GROUP_KEY
    groups = _groups(db, where, params, page_no)
    if not groups and page_no > 1:
        page_no = 1
        groups = _groups(db, where, params, page_no)
    totals = {k: int(groups[0][f"t_{k}"] or 0) if groups else 0 for k in TOTALS}
    total_groups = int(groups[0]["n_groups"]) if groups else 0
    pages = max(1, -(-total_groups // GROUPS_PER_PAGE))
    for g in groups:
        for k in ("n_groups", *(f"t_{t}" for t in TOTALS)):
            g.pop(k, None)
    keys = [g["agency_key"] for g in groups]
    by_key: dict[str, list[dict[str, Any]]] = {k: [] for k in keys}
    if keys:
        # The page's reports first (a few hundred of thousands), then their findings.
        rows = db.rows(
            f"""SELECT {FINDING_COLUMNS}, {group_key} AS group_key
            FROM {FINDINGS_FROM}
            WHERE {where} AND f.report IN (
              SELECT r.id FROM reports r WHERE {group_key} IN (SELECT unnest(?)))
            QUALIFY row_number() OVER (PARTITION BY {group_key}
                ORDER BY {SEVERITY_ORDER}, r."year" DESC, f.report, f.origin, f.seq) <= ?
            ORDER BY {SEVERITY_ORDER}, r."year" DESC, f.report, f.origin, f.seq""",
            [*params, keys, FINDINGS_PER_GROUP],
        )
        for row in rows:
            by_key[row["group_key"]].append(finding_dict(row))
    for g in groups:
        g["findings_shown"] = by_key.get(g["agency_key"], [])
        g["has_agency"] = not str(g["agency_key"]).startswith("#")
        g["first_report"] = g["findings_shown"][0]["report"] if g["findings_shown"] else None

    facets = _facets(db, filters)
    summary = _summary(db, filters, totals)
    failed = db.rows(
        "SELECT id, path, error_code, error_zh, error_en FROM reports WHERE status = 'failed'"
        " ORDER BY ingested_at DESC, path LIMIT 20"
    )
    data: dict[str, Any] = {
        "filters": filters.active(),
        "summary": summary,
        "page": page_no,
        "pages": pages,
        "agencies_total": total_groups,
        "groups": [
            {k: v for k, v in g.items() if k not in ("findings_shown", "has_agency", "first_report")}
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
    where, params = filters.where()
    rows = db.rows(
        f"""SELECT {FINDING_COLUMNS} FROM {FINDINGS_FROM} WHERE {where}
        ORDER BY r.agency, r."year", {SEVERITY_ORDER}, f.origin, f.seq LIMIT ?""",
        [*params, DOWNLOAD_LIMIT],
    )
    table = DataTable("findings", "审核发现", "Findings", _FINDINGS_COLUMNS)
    for row in rows:
        f = finding_dict(row)
        table.rows.append([f.get(c.key) for c in table.columns])
    return table


def _summary(db: WebDB, filters: Filters, totals: dict[str, int]) -> dict[str, Any]:
    where_r, params_r = filters.where(with_findings=False)
    counts = (
        db.one(
            f"""SELECT count(*) AS reports, count(DISTINCT r.agency_key) AS agencies,
              (SELECT count(*) FROM reports WHERE status = 'failed') AS failed
            FROM reports r WHERE {where_r}""",
            params_r,
        )
        or {}
    )
    return {**counts, **totals}


def _facets(db: WebDB, filters: Filters) -> dict[str, Any]:
    provinces = [
        r[0]
        for r in db.tuples(
            "SELECT province FROM reports WHERE status = 'ok' AND province IS NOT NULL"
            " GROUP BY 1 ORDER BY count(*) DESC, 1"
        )
    ]
    cities: list[str] = []
    counties: list[str] = []
    if filters.province:
        cities = [
            r[0]
            for r in db.tuples(
                "SELECT city FROM reports WHERE status = 'ok' AND province = ? AND city IS NOT NULL"
                " GROUP BY 1 ORDER BY 1",
                [filters.province],
            )
        ]
    if filters.city or filters.province:
        col, value = ("city", filters.city) if filters.city else ("province", filters.province)
        counties = [
            r[0]
            for r in db.tuples(
                f"SELECT county FROM reports WHERE status = 'ok' AND {col} = ? AND county IS NOT NULL"
                " GROUP BY 1 ORDER BY 1",
                [value],
            )
        ]
    present = dict(db.tuples("SELECT code, count(*) FROM findings GROUP BY 1"))
    catalogue = rule_catalogue()
    rules = [
        {"code": code, "count": present.get(code, 0), "info": catalogue.get(code)}
        for code in sorted(set(present) | set(catalogue))
    ]
    return {"years": years(db), "provinces": provinces, "cities": cities, "counties": counties, "rules": rules}


def _respond(request: Request, fmt: str) -> Response:
    db = state(request).db
    filters = Filters.from_query(request.query_params)
    page_no = _int(request.query_params.get("page"), 1)
    ui = UI(request_lang(request))
    download = fmt in ("csv", "xlsx", "json") and _wants_all(request, fmt)
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
    if fmt not in ("json", "csv", "xlsx"):
        from fastapi import HTTPException

        raise HTTPException(404)
    return _respond(request, fmt)
