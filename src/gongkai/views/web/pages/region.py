"""Region (``/regions/{code or name}``, ``/regions`` for the whole corpus): for one year, who has
not published, the three tables summed over the region's agencies (laid out like the national
format), rankings (requests received, share granted or partly granted, litigation corrected) and
charts.

Who has not published comes from an expected list of agencies (a roster CSV, see
:mod:`gongkai.store.roster`): configured with ``gongkai serve --roster FILE`` or uploaded on this
page. Without one, the page lists the agencies that published the year before and not this year.
Sums are :func:`gongkai.store.aggregate.sum_region`'s; they, the agencies listed and ranked and the
totals by year all count one report per agency and year (the store's view ``v_agency_year``).

The filter bar's 省 / 市 / 县（区） selects (:mod:`gongkai.views.web.places`, by division code)
submit to ``/regions``, which sends the browser on to the region chosen. Who has not published is
shown :data:`NOT_PUBLISHED_PER_PAGE` at a time (``?np=2``); the downloads have them all. Twins:
``/regions/{code}.json`` (``/regions.json`` for the whole corpus), ``.csv?table=…``, ``.xlsx``,
``.zip``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from pathlib import Path
from typing import Any, cast

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from gongkai.formats import load_format
from gongkai.store.aggregate import sum_region
from gongkai.store.db import Store
from gongkai.store.queries import region as q_region
from gongkai.store.queries.base import as_dict
from gongkai.store.regions import RegionFilter, RegionNotFound, parse_region, region_for_code
from gongkai.views.web.app import WebState, state
from gongkai.views.web.data import is_year
from gongkai.views.web.db import WebDB
from gongkai.views.web.grid import keyed_grid, table_data
from gongkai.views.web.metrics import (
    bar_ranking,
    ensure_metrics,
    granted_share,
    line_chart,
    metrics,
    number,
    whole,
)
from gongkai.views.web.pages.report import CellView, TableView, _table_view
from gongkai.views.web.places import place_selects
from gongkai.views.web.render import UI, Column, DataTable, Page, request_lang, respond, split_ext
from gongkai.views.web.saving import save_atomic

router = APIRouter()

NATIONAL = ("all", "全国", "000000", "")
TOP_N = 15
LIST_LIMIT = 200  # agencies listed on the page; the download has them all
NOT_PUBLISHED_PER_PAGE = 50  # agencies that have not published, per page (?np=2)
ROSTER_NAME = "roster.csv"


class _Reader:
    """The store's query interface over this thread's cursor, for the store's own functions."""

    def __init__(self, db: WebDB) -> None:
        self.db = db

    def query(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        return self.db.tuples(sql, params)


def resolve(text: str, ui: UI) -> tuple[RegionFilter, dict[str, Any]]:
    """(filter, description) of a region given by code or name; the whole corpus for ``all``."""
    if text in NATIONAL:
        return RegionFilter(ui.t("全国", "All regions"), ""), {
            "name": ui.t("全国", "All regions"),
            "code": None,
            "level": 0,
            "chain": [],
            "selected": {"province": "", "city": "", "county": ""},
        }
    try:
        rf = parse_region(text)
    except RegionNotFound:
        raise HTTPException(404, detail=ui.t(f"找不到地区：{text}", f"No such region: {text}")) from None
    code = rf.prefix.ljust(6, "0")
    region = region_for_code(code)
    chain = []
    selected = {"province": "", "city": "", "county": ""}
    if region is not None:
        prefix = ""
        for level, part, n in (
            ("province", region.province, 2),
            ("city", region.city, 4),
            ("county", region.county, 6),
        ):
            if part:
                prefix = code[:n]
                chain.append({"name": part, "code": prefix.ljust(6, "0")})
                selected[level] = prefix.ljust(6, "0")
    name = chain[-1]["name"] if chain else text
    return rf, {"name": name, "code": code, "level": len(rf.prefix) // 2, "chain": chain, "selected": selected}


def roster_path(st: WebState) -> Path | None:
    uploaded = st.db.uploads_dir / ROSTER_NAME
    if uploaded.exists():
        return uploaded
    return st.settings.roster


def _code_of(agency_key: str | None, code: str | None) -> str:
    if agency_key and ":" in agency_key:
        return agency_key.split(":", 1)[0]
    return code or ""


def _not_published(st: WebState, rf: RegionFilter, year: int, ui: UI) -> dict[str, Any]:
    db = st.db
    path = roster_path(st)
    if path is not None and path.exists():
        from gongkai.store.roster import missing_reports, read_roster

        try:
            expected = read_roster(path)
        except (OSError, ValueError):
            expected = []
        inside = [e for e in expected if _code_of(e.agency_key, e.code).startswith(rf.prefix)]
        missing = missing_reports(cast(Store, _Reader(db)), inside, year)
        # An agency of the roster that never published has no page to link to.
        known = q_region.agencies_with_reports(db.cursor(), [e.agency_key for e in missing if e.agency_key])
        return {
            "source": "roster",
            "roster": path.name,
            "expected": len(inside),
            "agencies": [
                {"name": e.name, "code": e.code, "agency_key": e.agency_key, "known": e.agency_key in known}
                for e in missing
            ],
        }
    rows = [as_dict(a) | {"known": True} for a in q_region.absent_since_last_year(db.cursor(), rf.prefix, year)]
    return {"source": "previous_year", "roster": None, "expected": None, "agencies": rows}


def _children(db: WebDB, rf: RegionFilter, year: int) -> list[dict[str, Any]]:
    return [as_dict(d) for d in q_region.region_divisions(db.cursor(), rf.prefix, year)]


def _sum_views(db: WebDB, rf: RegionFilter, year: int, ui: UI) -> tuple[list[dict[str, Any]], DataTable | None]:
    result = sum_region(cast(Store, _Reader(db)), rf, year)
    views = []
    long = DataTable(
        "sums",
        "汇总表",
        "Summed tables",
        [
            Column("format", "格式", "Format"),
            Column("table_key", "表键", "Table key"),
            Column("row_key", "行键", "Row key"),
            Column("row_label", "行", "Row"),
            Column("column_key", "列键", "Column key"),
            Column("column_label", "列", "Column"),
            Column("value", "合计", "Sum"),
            Column("reports", "有数值的报告数", "Reports with a value"),
        ],
    )
    for fid, fsum in result.formats.items():
        spec = load_format(fid)
        tables: list[TableView] = []
        for tkey, rows in fsum.tables.items():
            tspec = spec.tables[tkey]
            value_rows: list[dict[str, Any]] = []
            for order, (rkey, cols) in enumerate(rows.items()):
                rspec = tspec.rows[rkey]
                if rspec.optional and not any(n for _v, n in cols.values()):
                    continue
                for ckey, (value, n) in cols.items():
                    value_rows.append(
                        {
                            "row_key": rkey,
                            "column_key": ckey,
                            "value": value,
                            "raw": "",
                            "row_order": order,
                            "row_label": rspec.label,
                            "extra_row": False,
                            "count": n,
                        }
                    )
                    long.rows.append([fid, tkey, rkey, rspec.label, ckey, tspec.columns[ckey].label, value, n])
            data = table_data(tspec, value_rows)
            by_key = {(str(v["row_key"]), str(v["column_key"])): v for v in value_rows}
            grid = keyed_grid(tspec, data, by_key)
            view = _table_view(grid, {}, {}, [], ui)
            _drop_links(view)
            tables.append(view)
        views.append({"format": fid, "reports": len(fsum.reports), "tables": tables})
    return views, long


def _drop_links(view: TableView) -> None:
    for row in view.rows:
        for cell in row:
            cell.href = None
            cell.id = None
            if isinstance(cell, CellView) and cell.title.startswith(("原文", "As written")):
                cell.title = ""


def region_page(st: WebState, text: str, ui: UI, year_param: str | None) -> Page:
    db = st.db
    rf, info = resolve(text, ui)
    years = q_region.region_years(db.cursor(), rf.prefix)
    if is_year(year_param):
        year = int(year_param)
    elif years:
        year = years[0]
    else:
        year = dt.date.today().year - 1
    ensure_metrics(db)
    keys = list(metrics())
    # One report per agency and year (v_agency_year), with its findings and metrics.
    agencies = [
        {k: v for k, v in as_dict(a).items() if k != "metrics"} | a.metrics
        for a in q_region.region_reports(db.cursor(), rf, year, keys)
    ]
    chosen = [a["id"] for a in agencies]
    for a in agencies:
        whole(a)
    per_report = {a["id"]: a for a in agencies}
    ms = metrics()
    rank_rows = []
    for a in agencies:
        m = per_report.get(a["id"], {})
        share = granted_share(m)
        rank_rows.append(
            {
                **a,
                "new": m.get("new"),
                "share": share,
                "litigation_corrected": m.get("litigation_corrected"),
                "handled": m.get("handled"),
                "review_corrected": m.get("review_corrected"),
            }
        )

    def top(key: str) -> list[dict[str, Any]]:
        rows = [r for r in rank_rows if r.get(key) is not None]
        rows.sort(key=lambda r: (-float(r[key]), r["agency"] or ""))
        return rows[:TOP_N]

    rankings = {
        "new": top("new"),
        "share": top("share"),
        "litigation_corrected": [r for r in top("litigation_corrected") if r["litigation_corrected"]],
    }
    ensure_metrics(db)
    trend = [
        {"year": t.year, "reports": t.reports, **t.metrics} for t in q_region.region_trend(db.cursor(), rf.prefix, keys)
    ]
    trend = [whole(t) for t in trend]
    cats = [str(t["year"]) for t in trend]
    charts = {
        "chart-trend": line_chart(
            ui.t("历年申请与办理", "Requests over the years"),
            cats,
            [
                (ui.t(ms[k].zh, ms[k].en), [t.get(k) for t in trend])
                for k in ("new", "granted", "partly_granted", "handled")
            ],
        ),
        "chart-appeals": line_chart(
            ui.t("历年复议与诉讼", "Review and litigation over the years"),
            cats,
            [
                (ui.t(ms[k].zh, ms[k].en), [t.get(k) for t in trend])
                for k in ("review", "review_corrected", "litigation", "litigation_corrected")
            ],
            kind="bar",
        ),
    }
    if rankings["new"]:
        charts["chart-rank-new"] = bar_ranking(
            ui.t(f"{year}年收到申请最多", f"Most requests received, {year}"),
            [r["agency"] or "?" for r in rankings["new"]],
            [r["new"] for r in rankings["new"]],
        )
    if rankings["share"]:
        charts["chart-rank-share"] = bar_ranking(
            ui.t(f"{year}年予以公开和部分公开的比例", f"Share granted or partly granted, {year}"),
            [r["agency"] or "?" for r in rankings["share"]],
            [round(r["share"] * 100, 1) for r in rankings["share"]],
            percent=True,
        )

    sums, long = _sum_views(db, rf, year, ui) if chosen else ([], None)
    missing = _not_published(st, rf, year, ui)
    children = _children(db, rf, year)

    rank_table = DataTable(
        "rankings",
        "排名",
        "Rankings",
        [
            Column("agency", "机关", "Agency"),
            Column("region_code", "区划代码", "Division code"),
            Column("new", "本年新收申请", "New requests"),
            Column("handled", "办理结果总计", "Handled"),
            Column("share", "予以公开和部分公开比例", "Share granted or partly granted"),
            Column("review_corrected", "复议纠正", "Review corrected"),
            Column("litigation_corrected", "诉讼纠正", "Litigation corrected"),
            Column("errors", "错误", "Errors"),
            Column("warnings", "警告", "Warnings"),
            Column("id", "报告编号", "Report id"),
        ],
    )
    rank_table.rows = [
        [r.get(c.key) for c in rank_table.columns]
        for r in sorted(
            rank_rows, key=lambda r: (-(float(r["new"]) if r["new"] is not None else -1), r["agency"] or "")
        )
    ]
    missing_table = DataTable(
        "not_published",
        "未发布",
        "Not published",
        [
            Column("name", "机关", "Agency"),
            Column("code", "区划代码", "Division code"),
            Column("agency_key", "机关键", "Agency key"),
        ],
    )
    missing_table.rows = [[a.get("name"), a.get("code"), a.get("agency_key")] for a in missing["agencies"]]
    trend_table = DataTable(
        "trend",
        "历年汇总",
        "Totals by year",
        [
            Column("year", "年度", "Year"),
            Column("reports", "报告数", "Reports"),
            *[Column(k, m.zh, m.en) for k, m in ms.items()],
        ],
    )
    trend_table.rows = [[t.get(c.key) for c in trend_table.columns] for t in trend]
    tables = {"rankings": rank_table, "not_published": missing_table, "trend": trend_table}
    if long is not None:
        tables["sums"] = long

    data = {
        "region": info,
        "year": year,
        "years": years,
        "agencies": len(agencies),
        "reports": [
            {k: a[k] for k in ("id", "agency", "agency_key", "region_code", "format", "errors", "warnings")}
            for a in agencies
        ],
        "not_published": missing,
        "rankings": {
            k: [
                {
                    "agency": r["agency"],
                    "agency_key": r["agency_key"],
                    "report": r["id"],
                    "value": number(r[k]) if k != "share" else r["share"],
                }
                for r in v
            ]
            for k, v in rankings.items()
        },
        "children": children,
    }
    return Page(
        template="region.html",
        title=f"{info['name']} {year}",
        data=data,
        tables=tables,
        extra={
            "list_limit": LIST_LIMIT,
            "info": info,
            "year": year,
            "years": years,
            "agencies": agencies,
            "missing": missing,
            "rankings": rankings,
            "charts": charts,
            "sums": sums,
            "children": children,
            "region_text": text or "all",
            "roster_name": roster.name if (roster := roster_path(st)) else None,
            "places": place_selects(
                db.cached("places", lambda: q_region.places(db.cursor())), by="code", **info["selected"]
            ),
        },
        filename=f"gongkai-region-{info['code'] or 'all'}-{year}",
    )


def cached_region_page(st: WebState, text: str, ui: UI, year_param: str | None) -> Page:
    roster = roster_path(st)
    stamp = roster.stat().st_mtime_ns if roster is not None and roster.exists() else None
    key = ("region", text, year_param, ui.lang, str(roster), stamp)
    return st.db.cached(key, lambda: region_page(st, text, ui, year_param))


def _paged(request: Request, page: Page) -> Page:
    """*page* (cached, shared) with the page of the not-published list this request asks for."""
    agencies = page.extra["missing"]["agencies"]
    pages = max(1, -(-len(agencies) // NOT_PUBLISHED_PER_PAGE))
    try:
        number = min(pages, max(1, int(request.query_params.get("np") or 1)))
    except ValueError:
        number = 1
    start = (number - 1) * NOT_PUBLISHED_PER_PAGE
    extra = {
        **page.extra,
        "np_page": number,
        "np_pages": pages,
        "np_start": start,
        "missing_shown": agencies[start : start + NOT_PUBLISHED_PER_PAGE],
    }
    return dataclasses.replace(page, extra=extra)


@router.get("/regions", include_in_schema=False)
def regions_index(request: Request) -> Response:
    """The whole corpus; or, from the filter bar (``?province=420000&city=420200&county=``), the
    region chosen — the most specific of the three."""
    q = request.query_params
    chosen = next((q.get(k, "") for k in ("county", "city", "province") if q.get(k, "").isdigit()), "")
    if chosen or any(k in q for k in ("province", "city", "county")):
        year = q.get("year")
        target = f"/regions/{chosen}" if chosen and len(chosen) <= 6 else "/regions"
        query = f"?year={year}" if is_year(year) else ""
        return RedirectResponse(target + query, status_code=303)
    ui = UI(request_lang(request))
    page = cached_region_page(state(request), "all", ui, q.get("year"))
    return respond(request, _paged(request, page), "html")


@router.get("/regions.{fmt}", include_in_schema=False)
def regions_twin(request: Request, fmt: str) -> Response:
    """The whole corpus's twins (``/regions.json``, ``.csv``, ``.xlsx``, ``.zip``)."""
    if fmt not in ("json", "csv", "xlsx", "zip"):
        raise HTTPException(404)
    ui = UI(request_lang(request))
    return respond(request, cached_region_page(state(request), "all", ui, request.query_params.get("year")), fmt)


@router.get("/regions/{text}", include_in_schema=False)
def region(request: Request, text: str) -> Response:
    base, fmt = split_ext(text)
    ui = UI(request_lang(request))
    page = cached_region_page(state(request), base, ui, request.query_params.get("year"))
    return respond(request, _paged(request, page) if fmt == "html" else page, fmt)


@router.post("/regions/{text}/roster", include_in_schema=False)
async def region_roster(request: Request, text: str) -> Response:
    """Upload the list of agencies expected to publish (CSV: name and optional division code)."""
    st = state(request)
    ui = UI(request_lang(request))
    length = int(request.headers.get("content-length") or 0)
    if length > st.settings.max_upload_bytes:
        raise HTTPException(413, detail=ui.t("名单文件过大。", "The roster file is too large."))
    form = await request.form(max_files=1, max_fields=5)
    up = form.get("roster")
    if up is None or isinstance(up, str):
        raise HTTPException(400, detail=ui.t("没有收到名单文件。", "No roster file received."))
    data = await up.read(st.settings.max_upload_bytes + 1)
    from gongkai.readers.detect import detect_kind
    from gongkai.store.roster import read_roster

    if detect_kind(data) != "text":
        raise HTTPException(415, detail=ui.t("名单应为 CSV 文本文件。", "The roster must be a CSV text file."))
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / ROSTER_NAME
        probe.write_bytes(data)
        try:
            entries = read_roster(probe)
        except (ValueError, OSError):
            entries = []
    if not entries:
        raise HTTPException(400, detail=ui.t("名单中没有机关名称。", "The roster lists no agency."))
    save_atomic(st.db.uploads_dir, ROSTER_NAME, data)  # a page reading it meanwhile sees the old or the new list
    year = request.query_params.get("year")
    return RedirectResponse(f"/regions/{text}" + (f"?year={year}" if is_year(year) else ""), status_code=303)
