"""How a page answers: HTML from its template, or its data as JSON, CSV or XLSX.

Every page builds a :class:`Page`: the data (its ``.json`` twin, also served under ``/api``), the
tables it shows (each downloadable: ``/reports/12.csv?table=requests``, ``.xlsx`` for one sheet
per table, ``.zip`` for every table as a CSV file of its own) and template-only extras. Every CSV
is UTF-8 with a BOM, so that Excel reads the Chinese. Errors have one shape everywhere:
``{"ok": false, "error": "...", "status": 404}``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import IO, Any
from urllib.parse import quote, unquote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from jinja2 import Environment, PackageLoader, StrictUndefined

from gongkai import __version__, jsonout
from gongkai.store import xlsx
from gongkai.store.safe_cells import write_csv

REVIEWER_COOKIE = "gongkai_reviewer"
FORMATS = ("html", "json", "csv", "xlsx", "zip")
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


def plain(value: Any, *, exact: bool = False) -> Any:
    """A value as JSON wants it: Decimals as numbers (whole ones as ints), dates as ISO text. With
    *exact*, a fractional Decimal stays a Decimal, for :func:`gongkai.jsonout.dumps` to write as
    printed (4166.241619, never a rounded float)."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        if value == value.to_integral_value():
            return int(value)
        return value if exact else float(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v, exact=exact) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, exact=exact) for v in value]
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
    return jsonout.dumps(plain(data, exact=True))


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


def write_table_csv(table: DataTable, ui: UI, out: IO[bytes]) -> None:
    """One table as UTF-8 CSV (with a BOM, so Excel reads it); text that a spreadsheet would run
    as a formula starts with ``'`` (:mod:`gongkai.store.safe_cells`)."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    text.write("\ufeff")
    write_csv(text, table.heads(ui), ([_cell_value(v) for v in row] for row in table.rows))
    text.detach()  # leave *out* open for the caller


def table_csv(table: DataTable, ui: UI) -> bytes:
    out = io.BytesIO()
    write_table_csv(table, ui, out)
    return out.getvalue()


def table_sheet(table: DataTable) -> xlsx.Sheet:
    """A page's table as a sheet of :mod:`gongkai.store.xlsx` (numbers as numbers, nested data as
    JSON text)."""
    return xlsx.Sheet(
        table.name,
        table.zh,
        table.en,
        [xlsx.Col(c.key, c.zh, c.en) for c in table.columns],
        ([_cell_value(v) for v in row] for row in table.rows),
    )


def write_tables_xlsx(tables: Sequence[DataTable], ui: UI, out: IO[bytes]) -> None:
    """The tables as one workbook, a sheet each, through the one XLSX writer
    (:func:`gongkai.store.xlsx.write_workbook`: one header row in the page's language, frozen,
    filtered, columns sized; every text a string cell, never a formula)."""
    xlsx.write_workbook(out, [table_sheet(t) for t in tables], ui.lang)


def tables_xlsx(tables: Sequence[DataTable], ui: UI) -> bytes:
    out = io.BytesIO()
    write_tables_xlsx(tables, ui, out)
    return out.getvalue()


def _cell_value(value: Any) -> Any:
    """A value for a spreadsheet cell: numbers as numbers, nested data as JSON text."""
    v = plain(value)
    if isinstance(v, (dict, list)):
        return to_json(v)
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
    # The page's ``.xlsx`` when it is not its tables: the store's sheets (gongkai export's), given
    # the language and the request's address for the links (see :func:`workbook_response`).
    workbook: Callable[[xlsx.Context], Sequence[xlsx.Sheet]] | None = None

    def json_data(self) -> dict[str, Any]:
        out = {"ok": True, **self.data}
        if self.tables:
            out["tables"] = {k: t.to_dict() for k, t in self.tables.items()}
        return out


def split_ext(value: str) -> tuple[str, str]:
    """``"12.json"`` → ``("12", "json")``; no known suffix → ``(value, "html")``."""
    for fmt in ("json", "csv", "xlsx", "zip"):
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
    """This page's ``.json`` / ``.csv`` / ``.xlsx`` / ``.zip`` twin."""
    path = request.url.path
    if path == "/":
        path = "/index"
    return url_with(request, f"{path.rstrip('/')}.{fmt}", **params)


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """``attachment`` (saved) or ``inline`` (shown by the browser), the name in ASCII and in UTF-8."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", filename).strip("_") or "download"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


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
    if fmt == "xlsx" and page.workbook is not None:
        return workbook_response(request, page, ui)
    if fmt in ("csv", "xlsx", "zip"):
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
                zipped = url_with(request, request.url.path.removesuffix(".csv") + ".zip")
                return JSONResponse(
                    error_body(
                        400,
                        ui.t(
                            f"请用 ?table= 选择一个表：{known}；全部表格的 CSV 见 {zipped}",
                            f"Choose one table with ?table=: {known}; every table as CSV: {zipped}",
                        ),
                    ),
                    status_code=400,
                )
            filename = f"{page.filename}-{chosen[0].name}.csv"
            media = "text/csv; charset=utf-8"
        elif fmt == "zip":
            suffix = f"-{chosen[0].name}" if name else ""
            filename = f"{page.filename}{suffix}-csv.zip"
            media = "application/zip"
        else:
            suffix = f"-{chosen[0].name}" if name else ""
            filename = f"{page.filename}{suffix}.xlsx"
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        with _download_slot(request) as free:
            if not free:
                return _busy(ui)
            # Built into a temporary file and sent from there: a large download is not held in memory.
            out = tempfile.TemporaryFile(prefix="gongkai-export-")  # noqa: SIM115 - closed by file_chunks
            try:
                if fmt == "csv":
                    write_table_csv(chosen[0], ui, out)
                elif fmt == "zip":
                    write_tables_zip(chosen, ui, out, page.filename)
                else:
                    write_tables_xlsx(chosen, ui, out)
                size = out.tell()
                out.seek(0)
            except BaseException:
                out.close()
                raise
        headers = {"Content-Disposition": content_disposition(filename), "Content-Length": str(size)}
        return StreamingResponse(file_chunks(out), media_type=media, headers=headers)
    context = {"page": page, "data": page.data, "tables": page.tables, **page.extra}
    return render_html(request, page.template, context)


def base_url(request: Request) -> str:
    """The app's address as the browser reached it (links in a downloaded workbook)."""
    return str(request.base_url).rstrip("/")


def workbook_response(request: Request, page: Page, ui: UI) -> Response:
    """A page's :attr:`Page.workbook` as an ``.xlsx`` download (``?table=`` one sheet of it),
    built into a temporary file and sent from there."""
    assert page.workbook is not None
    sheets = list(page.workbook(xlsx.Context(lang=ui.lang, base_url=base_url(request))))
    name = request.query_params.get("table")
    if name:
        known = ", ".join(dict.fromkeys(s.table or s.name for s in sheets)) or "-"
        sheets = [s for s in sheets if s.picked(name)]
        if not sheets:
            return JSONResponse(
                error_body(404, ui.t(f"没有名为 {name} 的表。可选：{known}", f"No table {name}. Known: {known}")),
                status_code=404,
            )
    out = tempfile.TemporaryFile(prefix="gongkai-export-")  # noqa: SIM115 - closed by file_chunks
    try:
        xlsx.write_workbook(out, sheets, ui.lang)
        size = out.tell()
        out.seek(0)
    except xlsx.TooManyRows:
        out.close()
        return JSONResponse(
            error_body(
                413,
                ui.t(
                    "数据超过 Excel 的行数上限：请按地区、年度或规则缩小范围，或下载 CSV。",
                    "Too many rows for Excel: narrow by region, year or rule, or download the CSV.",
                ),
            ),
            status_code=413,
        )
    except BaseException:
        out.close()
        raise
    filename = f"{page.filename}{'-' + name if name else ''}.xlsx"
    headers = {"Content-Disposition": content_disposition(filename), "Content-Length": str(size)}
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return StreamingResponse(file_chunks(out), media_type=media, headers=headers)


def write_tables_zip(tables: Sequence[DataTable], ui: UI, out: IO[bytes], stem: str) -> None:
    """Every table as a CSV file of its own (:func:`write_table_csv`), in one ZIP archive."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        if not tables:
            zf.writestr(f"{stem}.txt", ui.t("（无数据）", "(no data)"))
        for table in tables:
            with zf.open(f"{stem}-{table.name}.csv", "w", force_zip64=True) as member:
                write_table_csv(table, ui, member)


RETRY_SECONDS = 5


@contextlib.contextmanager
def _download_slot(request: Request) -> Iterator[bool]:
    """A slot of the app's downloads (``WebState.export_slots``) while a ``.zip`` is built; the
    ``.csv`` and ``.xlsx`` ones hold theirs already (the ExportSlots guard). False: none free."""
    slots = getattr(getattr(request.app.state, "web", None), "export_slots", None)
    if slots is None or not request.url.path.endswith(".zip"):
        yield True
        return
    if not slots.acquire(blocking=False):
        yield False
        return
    try:
        yield True
    finally:
        slots.release()


def _busy(ui: UI) -> Response:
    response = JSONResponse(
        error_body(
            503,
            ui.t(
                f"下载正忙：正在生成其他表格，请 {RETRY_SECONDS} 秒后再试。",
                f"Downloads are busy building other tables: try again in {RETRY_SECONDS} seconds.",
            ),
        ),
        status_code=503,
    )
    response.headers["Retry-After"] = str(RETRY_SECONDS)
    return response


def file_chunks(f: IO[bytes], size: int = 256 * 1024) -> Iterator[bytes]:
    """A file's bytes in pieces for a streamed response; the file is closed at the end."""
    try:
        while data := f.read(size):
            yield data
    finally:
        f.close()


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
    "base_url",
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
    "table_sheet",
    "tables_xlsx",
    "to_json",
    "url_with",
    "workbook_response",
    "write_table_csv",
    "write_tables_xlsx",
    "write_tables_zip",
]
