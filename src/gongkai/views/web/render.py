"""How a page answers: HTML from its template, or its data as JSON, CSV or XLSX.

Every page builds a :class:`Page`: the data (its ``.json`` twin, also served under ``/api``), the
tables it shows (each downloadable: ``/reports/12.csv?table=requests``, ``.xlsx`` for one sheet
per table) and template-only extras. Errors have one shape everywhere:
``{"ok": false, "error": "...", "status": 404}``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any
from urllib.parse import quote, unquote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined

from gongkai import __version__

REVIEWER_COOKIE = "gongkai_reviewer"
FORMATS = ("html", "json", "csv", "xlsx")
LANGS = ("zh", "en")


# --- language -------------------------------------------------------------------------------


def request_lang(request: Request) -> str:
    """``?lang=en`` wins, then the ``lang`` cookie, then Chinese."""
    q = request.query_params.get("lang") or request.cookies.get("lang") or "zh"
    return "en" if q.lower().startswith("en") else "zh"


@dataclass(frozen=True, slots=True)
class UI:
    """What templates need to speak the request's language."""

    lang: str = "zh"

    def t(self, zh: str, en: str) -> str:
        return en if self.lang == "en" else zh

    def msg(self, obj: dict[str, Any], key: str = "message") -> str:
        """A bilingual field of a row: ``message`` / ``message_en``."""
        if self.lang == "en":
            return str(obj.get(f"{key}_en") or obj.get(key) or "")
        return str(obj.get(key) or obj.get(f"{key}_en") or "")


# --- values ----------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A value as JSON wants it: Decimals as numbers (whole ones as ints), dates as ISO text."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def num(value: Any, empty: str = "") -> str:
    """A figure for display: 12, 3.5, 1,234 — or *empty* for no value."""
    if value is None:
        return empty
    if isinstance(value, Decimal):
        value = plain(value)
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def pct(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value * 100:.{digits}f}%"


def to_json(data: Any) -> str:
    return json.dumps(plain(data), ensure_ascii=False, separators=(",", ":"))


class JSONResponse(Response):
    media_type = "application/json; charset=utf-8"

    def render(self, content: Any) -> bytes:
        return to_json(content).encode("utf-8")


def error_body(status: int, message: str) -> dict[str, Any]:
    return {"ok": False, "error": message, "status": status}


# --- tables ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Column:
    key: str
    zh: str
    en: str


@dataclass(slots=True)
class DataTable:
    """A table a page shows and lets download, with bilingual column heads."""

    name: str
    zh: str
    en: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)

    def heads(self, ui: UI) -> list[str]:
        return [ui.t(c.zh, c.en) for c in self.columns]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.zh,
            "title_en": self.en,
            "columns": [c.key for c in self.columns],
            "rows": [dict(zip((c.key for c in self.columns), r, strict=True)) for r in self.rows],
        }


def columns(*spec: tuple[str, str, str]) -> list[Column]:
    return [Column(*s) for s in spec]


def table_csv(table: DataTable, ui: UI) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(table.heads(ui))
    for row in table.rows:
        w.writerow(["" if v is None else plain(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # the BOM lets Excel read UTF-8


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def tables_xlsx(tables: Sequence[DataTable], ui: UI) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    first = True
    used: set[str] = set()
    for table in tables:
        ws = wb.active if first else wb.create_sheet()
        first = False
        assert ws is not None
        title = _SHEET_BAD.sub("_", ui.t(table.zh, table.en))[:31] or table.name[:31]
        while title in used:
            title = title[:28] + f"_{len(used)}"
        used.add(title)
        ws.title = title
        ws.append(table.heads(ui))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            ws.append([_xlsx_value(v) for v in row])
        ws.freeze_panes = "A2"
    if first:
        ws = wb.active
        assert ws is not None
        ws.append([ui.t("（无数据）", "(no data)")])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


_FORMULA_START = ("=", "+", "-", "@")


def _xlsx_value(value: Any) -> Any:
    v = plain(value)
    if isinstance(v, (dict, list)):
        return to_json(v)
    if isinstance(v, str) and v.startswith(_FORMULA_START):
        return "'" + v  # report text is data, never a formula
    return v


# --- pages -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Page:
    template: str
    title: str
    data: dict[str, Any]
    tables: dict[str, DataTable] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    filename: str = "gongkai"

    def json_data(self) -> dict[str, Any]:
        out = {"ok": True, **self.data}
        if self.tables:
            out["tables"] = {k: t.to_dict() for k, t in self.tables.items()}
        return out


def split_ext(value: str) -> tuple[str, str]:
    """``"12.json"`` → ``("12", "json")``; no known suffix → ``(value, "html")``."""
    for fmt in ("json", "csv", "xlsx"):
        suffix = "." + fmt
        if value.endswith(suffix):
            return value[: -len(suffix)], fmt
    return value, "html"


def url_with(request: Request, path: str | None = None, **params: Any) -> str:
    """The current URL (or *path*) with query parameters replaced; None drops one."""
    query = dict(request.query_params)
    query.pop("token", None)
    for k, v in params.items():
        if v is None or v == "":
            query.pop(k, None)
        else:
            query[k] = str(v)
    base = path if path is not None else request.url.path
    return base + ("?" + urlencode(query) if query else "")


def ext_url(request: Request, fmt: str, **params: Any) -> str:
    """This page's ``.json`` / ``.csv`` / ``.xlsx`` twin."""
    path = request.url.path
    if path == "/":
        path = "/index"
    return url_with(request, f"{path.rstrip('/')}.{fmt}", **params)


def content_disposition(filename: str) -> str:
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", filename).strip("_") or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("gongkai.views.web", "templates"),
        autoescape=True,  # report text is untrusted: everything is escaped unless marked safe
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = num
    env.filters["pct"] = pct
    env.filters["tojson_attr"] = to_json
    env.globals["quote"] = lambda s: quote(str(s), safe="")
    return env


def reviewer_of(request: Request) -> str:
    """The reviewer's name, remembered in a cookie (URL-encoded: names are Chinese)."""
    return unquote(request.cookies.get(REVIEWER_COOKIE, ""))[:80]


def set_reviewer(response: Response, name: str) -> None:
    name = name.strip()[:80]
    if name:
        response.set_cookie(REVIEWER_COOKIE, quote(name, safe=""), max_age=365 * 86400, samesite="lax")


def render_html(request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    ui = UI(request_lang(request))
    ctx: dict[str, Any] = {
        "request": request,
        "ui": ui,
        "t": ui.t,
        "lang": ui.lang,
        "url_with": lambda path=None, **kw: url_with(request, path, **kw),
        "ext_url": lambda fmt, **kw: ext_url(request, fmt, **kw),
        "reviewer": reviewer_of(request),
        "version": __version__,
    }
    ctx.update(context)
    html = environment().get_template(template).render(ctx)
    response = HTMLResponse(html, status_code=status)
    if "lang" in request.query_params:
        response.set_cookie("lang", ui.lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


def respond(request: Request, page: Page, fmt: str) -> Response:
    ui = UI(request_lang(request))
    if fmt == "json":
        return JSONResponse(page.json_data())
    if fmt in ("csv", "xlsx"):
        name = request.query_params.get("table")
        chosen: list[DataTable]
        if name:
            if name not in page.tables:
                known = ", ".join(page.tables) or "-"
                return JSONResponse(
                    error_body(404, ui.t(f"没有名为 {name} 的表。可选：{known}", f"No table {name}. Known: {known}")),
                    status_code=404,
                )
            chosen = [page.tables[name]]
        else:
            chosen = list(page.tables.values())
        if fmt == "csv":
            if len(chosen) != 1:
                known = ", ".join(page.tables) or "-"
                return JSONResponse(
                    error_body(
                        400, ui.t(f"请用 ?table= 选择一个表：{known}", f"Choose one table with ?table=: {known}")
                    ),
                    status_code=400,
                )
            body = table_csv(chosen[0], ui)
            filename = f"{page.filename}-{chosen[0].name}.csv"
            media = "text/csv; charset=utf-8"
        else:
            body = tables_xlsx(chosen, ui)
            suffix = f"-{chosen[0].name}" if name else ""
            filename = f"{page.filename}{suffix}.xlsx"
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(body, media_type=media, headers={"Content-Disposition": content_disposition(filename)})
    context = {"page": page, "data": page.data, "tables": page.tables, **page.extra}
    return render_html(request, page.template, context)


def chunks(items: Iterable[Any], size: int) -> list[list[Any]]:
    out: list[list[Any]] = []
    for item in items:
        if not out or len(out[-1]) >= size:
            out.append([])
        out[-1].append(item)
    return out


__all__ = [
    "FORMATS",
    "UI",
    "Column",
    "DataTable",
    "JSONResponse",
    "Page",
    "columns",
    "content_disposition",
    "environment",
    "error_body",
    "ext_url",
    "num",
    "pct",
    "plain",
    "render_html",
    "request_lang",
    "respond",
    "split_ext",
    "table_csv",
    "tables_xlsx",
    "to_json",
    "url_with",
]
