"""编写 (``/write``): a clerk writes the annual report in the browser, checked while typing.

The page holds the report as a form laid out like the national template: the agency, year and
signing date, the six sections' text, and tables 二, 三 and 四 as grids of inputs laid out by
:func:`gongkai.views.web.grid.keyed_grid` (the writers' layout: the form is the table that will
be printed). Both formats are on the page (2019 before 2021); the year decides which one is used
and ``static/write.js`` switches between them.

- ``POST /write/check`` (JSON ``{"fields": {name: text}}``): the report built from the fields,
  laid out as ``gongkai write`` lays it out and checked by :func:`gongkai.rules.check_report`.
  The page's script calls it a moment after each change and lights the cells the findings
  point at.
- ``POST /write/ledger`` (multipart ``ledger``, ``year``, ``carried_over``): a request ledger
  (CSV/XLSX, at most ``max_upload_bytes``) counted into table 三 by :mod:`gongkai.ledger`, in a
  bounded worker process like an uploaded report, with each application's findings.
- ``POST /write/download`` (the form, ``fmt`` docx|html|md, ``force``): the file through
  :func:`gongkai.corpus.write.save_checked` — rendered, read back and checked — refused with its
  error findings listed unless ``force`` (``gongkai write --force``).

The form's names: ``agency``, ``year``, ``signed_on``, ``title``, ``format`` (the layout shown),
``section.<key>`` and ``cell.<table>.<row>.<column>``. They become the JSON object of
``gongkai parse`` and are read by :func:`gongkai.writers.input.report_from_json`, the reader of
``gongkai write``: nothing is parsed here that the command would parse differently. Nothing is
stored: a ledger and a file written live in a temporary folder removed before the answer.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from gongkai.formats import FORMAT_IDS, TABLE_KEYS, FormatSpec, TableSpec, format_for_year, load_format, section_specs
from gongkai.ledger import FIRST_YEAR
from gongkai.model import Report, TableData
from gongkai.rules import Finding, check_report
from gongkai.rules.base import SEVERITY_NAMES
from gongkai.views.web.app import FORM_OVERHEAD, WebState, state, wants_json
from gongkai.views.web.grid import HEAD_ROLES, keyed_grid
from gongkai.views.web.pages.data import busy
from gongkai.views.web.pages.upload import _UPLOAD_WORKERS, safe_filename, size_text, too_large_message
from gongkai.views.web.render import UI, JSONResponse, content_disposition, error_body, render_html, request_lang
from gongkai.views.web.saving import save_atomic
from gongkai.writers.input import InputError, report_from_json, table_from_values
from gongkai.writers.output import FORMATS, default_name, for_writing

router = APIRouter()

META_FIELDS = ("agency", "year", "signed_on", "title")
SECTION_FIELD = "section."
CELL_FIELD = "cell."
WHERE = "form"
MAX_FIELDS = 2000
DOWNLOAD_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}
SECTION_NAMES_EN = {
    "overview": "1. Overview",
    "proactive": "2. Proactive disclosure",
    "requests": "3. Requests received and handled",
    "appeals": "4. Administrative review and litigation",
    "problems": "5. Problems and improvements",
    "other": "6. Other matters",
}
META_NAMES = {
    "agency": ("机关名称", "Agency"),
    "year": ("报告年度", "Report year"),
    "signed_on": ("成文日期", "Signing date"),
    "title": ("标题", "Title"),
}


def default_year() -> int:
    """The year a report is written for: last year (reports are due by 31 January)."""
    return dt.date.today().year - 1


# --- the form → a report ---------------------------------------------------------------------


@dataclass(slots=True)
class FieldError:
    """A field whose text the writer's reader refuses (a cell that is not a number, a bad date)."""

    field: str
    message: str
    message_en: str

    def to_dict(self, fmt: FormatSpec, ui: UI) -> dict[str, Any]:
        """As a finding of the page (code ``input``, severity error), lighting its field."""
        where: dict[str, Any] = {}
        if self.field.startswith(CELL_FIELD):
            table, row, column = self.field[len(CELL_FIELD) :].split(".", 2)
            where = {"table": table, "row": row, "column": column}
        elif self.field in META_NAMES:
            where = {"figures": {"field": self.field}}
        group, cells = finding_targets(where, fmt)
        return {
            "code": "input",
            "severity": "error",
            "severity_text": ui.t(*SEVERITY_NAMES["error"]),
            "field": self.field,
            "message": self.message,
            "message_en": self.message_en,
            "text": ui.t(self.message, self.message_en),
            "rule_title": ui.t("读不出的数字或日期", "A number or date that cannot be read"),
            "place": place_text(where, fmt, ui),
            "group": group,
            "cells": cells,
        }


@dataclass(slots=True)
class Built:
    format: FormatSpec
    report: Report | None
    errors: list[FieldError] = field(default_factory=list)


def cell_name(table: str, row: str, column: str) -> str:
    return f"{CELL_FIELD}{table}.{row}.{column}"


def _field(fields: Mapping[str, Any], name: str) -> str:
    value = fields.get(name)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return value.strip() if isinstance(value, str) else ""


def form_format(fields: Mapping[str, Any]) -> FormatSpec:
    """The layout the form's tables were filled in: its ``format`` field, else the year's."""
    given = _field(fields, "format")
    if given in FORMAT_IDS:
        return load_format(given)
    year = _field(fields, "year").rstrip("年")
    return format_for_year(int(year) if year.isdigit() and len(year) == 4 else None)


def _section_text(fields: Mapping[str, Any], key: str) -> str:
    value = fields.get(SECTION_FIELD + key)
    if not isinstance(value, str):
        return ""
    lines = [line.rstrip() for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip()


def source_object(fields: Mapping[str, Any], fmt: FormatSpec) -> dict[str, Any]:
    """The form as the JSON object of ``gongkai parse`` (docs/json.md): every row of every table
    given (a cell left empty is no value), the sections that have text."""
    meta = {name: _field(fields, name) or None for name in META_FIELDS}
    meta["format"] = fmt.id
    sections = {s.key: {"text": text} for s in section_specs() if (text := _section_text(fields, s.key))}
    tables = {
        tkey: {
            rkey: {ckey: _field(fields, cell_name(tkey, rkey, ckey)) for ckey in rspec.columns}
            for rkey, rspec in fmt.tables[tkey].rows.items()
        }
        for tkey in TABLE_KEYS
    }
    return {"meta": meta, "sections": sections, "tables": tables}


def _without_where(exc: InputError, where: str) -> tuple[str, str]:
    """The message of *exc* without the place the reader put in front of it."""

    def strip(text: str) -> str:
        return text[len(where) :].lstrip("：: ") if text.startswith(where) else text

    return strip(exc.message_zh), strip(exc.message_en)


def _field_errors(obj: dict[str, Any], fmt: FormatSpec) -> list[FieldError]:
    """Each field the reader refuses, found by reading it alone; it is then left empty in *obj*
    so that the rest of the report can still be checked."""
    errors: list[FieldError] = []
    meta = obj["meta"]
    for name in ("year", "signed_on"):
        if meta.get(name) is None:
            continue
        try:
            report_from_json({"meta": {name: meta[name], "format": fmt.id}}, WHERE)
        except InputError as exc:
            errors.append(FieldError(name, *_without_where(exc, WHERE)))
            meta[name] = None
    for tkey, rows in obj["tables"].items():
        spec = fmt.tables[tkey]
        for rkey, cols in rows.items():
            for ckey, value in cols.items():
                if not value:
                    continue
                name = cell_name(tkey, rkey, ckey)
                try:
                    table_from_values(spec, {rkey: {ckey: value}}, WHERE)
                except InputError as exc:
                    where = f"{WHERE}: {spec.key}.{rkey}.{ckey}"
                    errors.append(FieldError(name, *_without_where(exc, where)))
                    cols[ckey] = None
    return errors


def build_report(fields: Mapping[str, Any]) -> Built:
    """The report the form holds, read by ``gongkai write``'s JSON reader; fields it refuses are
    listed and left empty."""
    fmt = form_format(fields)
    obj = source_object(fields, fmt)
    try:
        return Built(fmt, report_from_json(obj, WHERE))
    except InputError:
        pass
    errors = _field_errors(obj, fmt)
    try:
        return Built(fmt, report_from_json(obj, WHERE), errors)
    except InputError as exc:  # not a field's: say it as the reader does
        return Built(fmt, None, [*errors, FieldError("", *_without_where(exc, WHERE))])


def laid_out(report: Report) -> Report:
    """The report as it is written (:func:`for_writing`), with its region as reading the file back
    resolves it from the agency and the text — the check of the written file sees the same."""
    from gongkai.region import resolve_region

    laid = for_writing(report)
    agency = laid.meta.agency
    if agency and laid.meta.region is None:
        overview = laid.sections.get("overview")
        laid.meta.region = resolve_region(agency, overview.text if overview is not None else "")
    return laid


# --- findings for the page -------------------------------------------------------------------


def _table_spec(fmt: FormatSpec, key: str | None) -> TableSpec | None:
    return fmt.tables.get(key) if key else None


def _row_words(spec: TableSpec, row: str) -> str:
    rspec = spec.rows.get(row)
    if rspec is None:
        return row
    return f"{rspec.group} {rspec.label}" if rspec.group else rspec.label


def place_text(f: Mapping[str, Any], fmt: FormatSpec, ui: UI) -> str:
    """Where a finding points, for a person: 表三 · （七）总计 · 自然人."""
    spec = _table_spec(fmt, f.get("table"))
    if spec is not None:
        parts = [ui.t(spec.short_zh, spec.short_en)]
        if f.get("row"):
            parts.append(ui.t(_row_words(spec, str(f["row"])), str(f["row"])))
        column = f.get("column")
        if column:
            label = spec.columns[column].label if column in spec.columns else str(column)
            parts.append(ui.t(label, str(column)))
        return " · ".join(parts)
    section = f.get("section")
    if section:
        title = next((s.title for s in section_specs() if s.key == section), str(section))
        return ui.t(title, SECTION_NAMES_EN.get(str(section), str(section)))
    name = (f.get("figures") or {}).get("field")
    if name in META_NAMES:
        return ui.t(*META_NAMES[name])
    return ui.t("报告", "report")


def finding_targets(f: Mapping[str, Any], fmt: FormatSpec) -> tuple[str, list[str]]:
    """(the list the finding is shown in, the fields it lights): a cell, a row's or a column's
    cells, a section's text, a meta field — ``table:requests``, ``section:overview``, ``meta``."""
    spec = _table_spec(fmt, f.get("table"))
    if spec is not None:
        row, column = f.get("row"), f.get("column")
        if row is None and column is None:  # the table as a whole
            return f"table:{spec.key}", []
        rows = [row] if row in spec.rows else ([] if row else _column_rows(spec, str(f.get("code"))))
        cells = [cell_name(spec.key, r, c) for r in rows for c in spec.rows[r].columns if column in (None, c)]
        return f"table:{spec.key}", cells
    section = f.get("section")
    if section:
        return f"section:{section}", [SECTION_FIELD + str(section)]
    name = (f.get("figures") or {}).get("field")
    if name in META_NAMES:
        return "meta", [str(name)]
    if name == "region":
        return "meta", ["agency"]
    return "meta", []


def _column_rows(spec: TableSpec, code: str) -> list[str]:
    """The rows a finding about a whole column points at: those of the format's sum it reports
    (B001: 一, 二, 三(七), 四), else every row."""
    for s in spec.sums:
        if s.code == code and s.per == "column":
            lhs, rhs = spec.sum_rows(s, lambda k: k in spec.rows and not spec.rows[k].optional)
            return [k for k in spec.rows if k in (*lhs, *rhs)]
    return list(spec.rows)


def rule_title(code: str, ui: UI) -> str:
    from gongkai.rules.registry import get_rule

    try:
        rule = get_rule(code)
    except KeyError:
        return ""
    return ui.t(rule.title_zh, rule.title_en)


def finding_json(f: Finding, fmt: FormatSpec, ui: UI) -> dict[str, Any]:
    d = f.to_dict()
    group, cells = finding_targets(d, fmt)
    sev = SEVERITY_NAMES.get(f.severity, (f.severity, f.severity))
    d.update(
        text=ui.msg(d),
        severity_text=ui.t(*sev),
        rule_title=rule_title(f.code, ui),
        place=place_text(d, fmt, ui),
        group=group,
        cells=cells,
    )
    return d


def counts_of(findings: list[dict[str, Any]]) -> dict[str, int]:
    return {s: sum(1 for f in findings if f["severity"] == s) for s in SEVERITY_NAMES}


def check_fields(fields: Mapping[str, Any], ui: UI) -> dict[str, Any]:
    """What ``POST /write/check`` answers: the findings of the report the form holds, the fields
    that could not be read, and the tables as read (each cell as the report will hold it)."""
    built = build_report(fields)
    findings: list[dict[str, Any]] = []
    tables: dict[str, Any] = {}
    if built.report is not None:
        laid = laid_out(built.report)
        findings = [finding_json(f, built.format, ui) for f in check_report(laid)]
        tables = {k: t.to_values() for k, t in built.report.tables.items()}
    input_errors = [e.to_dict(built.format, ui) for e in built.errors]
    counts = counts_of(findings)
    counts["error"] += len(input_errors)
    return {
        "ok": True,
        "format": built.format.id,
        "counts": counts,
        "findings": findings,
        "input_errors": input_errors,
        "tables": tables,
    }


# --- the form on the page --------------------------------------------------------------------


@dataclass(slots=True)
class FormCell:
    tag: str
    text: str
    rowspan: int = 1
    colspan: int = 1
    classes: str = ""
    name: str | None = None  # a value cell's input
    row: str | None = None  # a row label's row key
    money: bool = False


def form_grid(spec: TableSpec) -> list[list[FormCell]]:
    """Table *spec* laid out as the national format prints it, each value cell an input."""
    grid = keyed_grid(spec, TableData(key=spec.key, rows={}, found=True), {})
    rows: list[list[FormCell]] = []
    for r, cells in enumerate(grid.rows):
        out: list[FormCell] = []
        for c in cells:
            if c.role in HEAD_ROLES or (r < grid.header_rows and c.row_key is None):
                out.append(FormCell("th", c.text, c.rowspan, c.colspan, f"role-{c.role}"))
            elif c.role == "label":
                out.append(FormCell("th", c.text, c.rowspan, c.colspan, "role-label", row=c.row_key))
            elif c.row_key is not None and c.column is not None:
                money = spec.columns[c.column].kind == "money" if c.column in spec.columns else False
                name = cell_name(spec.key, c.row_key, c.column)
                out.append(FormCell("td", "", c.rowspan, c.colspan, "num", name=name, row=c.row_key, money=money))
            else:
                out.append(FormCell("td", c.text, c.rowspan, c.colspan, ""))
        rows.append(out)
    return rows


@dataclass(slots=True)
class SectionView:
    key: str
    title: str
    title_en: str
    table: str | None
    grids: dict[str, list[list[FormCell]]]  # format id → the table's grid


def section_views() -> list[SectionView]:
    formats = [load_format(f) for f in FORMAT_IDS]
    out = []
    for s in section_specs():
        table = s.key if s.key in TABLE_KEYS else None
        grids = {fmt.id: form_grid(fmt.tables[table]) for fmt in formats} if table else {}
        out.append(SectionView(s.key, s.title, SECTION_NAMES_EN.get(s.key, s.key), table, grids))
    return out


def write_page(
    request: Request,
    *,
    values: Mapping[str, Any] | None = None,
    ledger: dict[str, Any] | None = None,
    ledger_error: str | None = None,
    refused: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    st = state(request)
    given = {k: v for k, v in (values or {}).items() if isinstance(v, str)}
    given.setdefault("year", str(default_year()))
    fmt = form_format(given)
    context = {
        "title": UI(request_lang(request)).t("编写年度报告", "Write a report"),
        "values": given,
        "active_format": fmt.id,
        "formats": FORMAT_IDS,
        "first_year": {f: load_format(f).first_year for f in FORMAT_IDS},
        "sections": section_views(),
        "meta_names": META_NAMES,
        "ledger": ledger,
        "ledger_error": ledger_error,
        "refused": refused,
        "limit": size_text(st.settings.max_upload_bytes),
        "download_formats": list(FORMATS),
        "restore": values is None,  # a plain visit: the script brings back what this tab had typed
    }
    return render_html(request, "write.html", context, status=status)


@router.get("/write", include_in_schema=False)
def write_form(request: Request) -> Response:
    year = request.query_params.get("year", "")
    if year.isdigit():
        return write_page(request, values={"year": year})
    return write_page(request)


# --- POST /write/check -----------------------------------------------------------------------


async def _fields(request: Request) -> dict[str, Any]:
    """The form's fields from a JSON body (``{"fields": {…}}`` or the fields themselves) or a
    form post."""
    ui = UI(request_lang(request))
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("application/json"):
        try:
            body = await request.json()
        except ValueError:
            raise HTTPException(400, detail=ui.t("请求不是有效的 JSON。", "The request is not valid JSON.")) from None
        if isinstance(body, dict) and isinstance(body.get("fields"), dict):
            body = body["fields"]
        if not isinstance(body, dict):
            raise HTTPException(400, detail=ui.t('应为 {"fields": {…}} 对象。', 'Expected an object {"fields": {…}}.'))
        return {str(k): v for k, v in body.items() if isinstance(v, (str, int, float)) and not isinstance(v, bool)}
    form = await request.form(max_fields=MAX_FIELDS, max_files=0)
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


@router.post(
    "/write/check",
    tags=["write"],
    summary="Check a report being written: findings for the fields of the 编写 page",
)
async def write_check(request: Request) -> Response:
    """审核正在编写的报告：表单字段（`agency`、`year`、`signed_on`、`section.<键>`、
    `cell.<表>.<行>.<列>`）→ 审核发现。Nothing is stored.

    The body is `{"fields": {name: text}}` (or a form post). The answer lists the findings of the
    report as `gongkai write` would lay it out (each with the fields it points at: `cells`), the
    fields whose text is not a number or date (`input_errors`), and the tables as read."""
    ui = UI(request_lang(request))
    try:
        fields = await _fields(request)
    except HTTPException as exc:  # the page's script reads JSON, whatever it accepts
        return JSONResponse(error_body(exc.status_code, str(exc.detail)), status_code=exc.status_code)
    return JSONResponse(await run_in_threadpool(check_fields, fields, ui))


# --- POST /write/ledger ----------------------------------------------------------------------


def _ledger_task(arg: tuple[str, int, str, dict[str, int] | None, int]) -> dict[str, Any]:
    """In a worker process: read and count a ledger file (:func:`gongkai.ledger.analyse`)."""
    from gongkai.ledger import LedgerReadError, analyse, read_ledger_file

    path, year, name, carried_over, max_bytes = arg
    try:
        ledger = read_ledger_file(path, year, name=name, max_bytes=max_bytes)
    except LedgerReadError as exc:
        return {"ok": False, "code": exc.code, "message": exc.message_zh, "message_en": exc.message_en}
    result = analyse(ledger, year, carried_over=carried_over)
    out = result.to_dict()
    out.pop("applications", None)  # the findings name them; the page does not list them all
    return {"ok": True, **out}


def _read_ledger(st: WebState, folder: Path, name: str, data: bytes, year: int, carried: dict[str, int] | None) -> Any:
    """The ledger saved in *folder* (atomically, as uploads are) and counted in a bounded worker."""
    from gongkai.workers import WorkerPool

    path = save_atomic(folder, name, data)
    with _UPLOAD_WORKERS, WorkerPool(_ledger_task, workers=1, limits=st.settings.limits) as pool:
        for _arg, outcome in pool.imap([(str(path), year, name, carried, st.settings.max_upload_bytes)]):
            return outcome
    raise AssertionError("unreachable: one ledger in, one outcome out")  # pragma: no cover


def _ledger_findings(findings: list[dict[str, Any]], ui: UI) -> list[dict[str, Any]]:
    from gongkai.ledger.findings import CODES

    out = []
    for f in findings:
        code = CODES.get(str(f.get("code")))
        where = []
        if f.get("line") is not None:
            where.append(ui.t(f"第 {f['line']} 行", f"row {f['line']}"))
        if f.get("id"):
            where.append(ui.t(f"编号 {f['id']}", f"no. {f['id']}"))
        sev = SEVERITY_NAMES.get(str(f.get("severity")), ("", ""))
        out.append(
            f
            | {
                "text": ui.msg(f),
                "severity_text": ui.t(*sev),
                "where": " · ".join(where) or ui.t("台账", "ledger"),
                "rule_title": ui.t(code.title_zh, code.title_en) if code is not None else "",
            }
        )
    return out


class LedgerRefused(Exception):
    """A ledger not counted: the status and the message, and the form's other fields when read."""

    def __init__(self, status: int, message: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = dict(fields or {})


async def handle_ledger(request: Request) -> tuple[dict[str, Any], dict[str, str]]:
    """(the ledger's answer, the form's other fields) — or :class:`LedgerRefused`."""
    st = state(request)
    ui = UI(request_lang(request))
    limit = st.settings.max_upload_bytes
    length = request.headers.get("content-length")
    if length is None:
        raise LedgerRefused(411, ui.t("请求缺少 Content-Length。", "Content-Length is required."))
    if not length.isdigit():
        raise LedgerRefused(400, "Content-Length")
    if int(length) > limit + FORM_OVERHEAD:
        raise LedgerRefused(413, too_large_message(ui, int(length), limit))
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise LedgerRefused(
            415,
            ui.t(
                "请用 multipart/form-data 上传台账（字段 ledger）。",
                "Upload the ledger as multipart/form-data (field ledger).",
            ),
        )
    form = await request.form(max_files=1, max_fields=MAX_FIELDS)
    others = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    try:
        return await _count_ledger(st, ui, form.get("ledger"), others), others
    except LedgerRefused as exc:
        exc.fields = others  # the page shown again keeps what was typed
        raise


async def _count_ledger(st: WebState, ui: UI, up: Any, others: Mapping[str, str]) -> dict[str, Any]:
    limit = st.settings.max_upload_bytes
    if not isinstance(up, UploadFile) or not up.filename:
        raise LedgerRefused(400, ui.t("没有收到台账文件。", "No ledger file received."))
    data = await up.read(limit + 1)
    await up.close()
    if len(data) > limit:
        raise LedgerRefused(413, too_large_message(ui, len(data), limit))
    year_text = str(others.get("year", "")).strip().rstrip("年")
    if not (year_text.isdigit() and len(year_text) == 4):
        raise LedgerRefused(
            400,
            ui.t(
                "请填写报告年度（如 2024），表三按年度计数。",
                "Give the report year (e.g. 2024): table 3 counts a year.",
            ),
        )
    year = int(year_text)
    if year < FIRST_YEAR:
        raise LedgerRefused(
            400,
            ui.t(
                f"报告年度不能早于 {FIRST_YEAR} 年：期限按 2019 年修订的条例核对。",
                f"The report year cannot be before {FIRST_YEAR}: deadlines follow the 条例 as revised in 2019.",
            ),
        )
    carried: dict[str, int] | None = None
    carried_text = str(others.get("carried_over", "")).strip()
    if carried_text:
        from gongkai.ledger import parse_carried_over

        try:
            carried = parse_carried_over(format_for_year(year).tables["requests"], carried_text)
        except ValueError as exc:
            raise LedgerRefused(
                400,
                ui.t(
                    f"上年结转数无法识别“{exc}”：写一个数（3），或按申请人类型写（自然人=2,商业企业=1）。",
                    f"Carried over: cannot read “{exc}”; write a number (3) or per applicant type "
                    "(natural_person=2,commercial=1).",
                ),
            ) from None
    name = safe_filename(up.filename)
    with tempfile.TemporaryDirectory(prefix="gongkai-ledger-") as folder:
        outcome = await run_in_threadpool(_read_ledger, st, Path(folder), name, data, year, carried)
    if not isinstance(outcome, dict):  # a worker failure: timeout, memory, crash
        raise LedgerRefused(422, ui.t(outcome.message_zh, outcome.message_en))
    if not outcome["ok"]:
        raise LedgerRefused(422, ui.t(outcome["message"], outcome["message_en"]))
    answer = {
        "ok": True,
        "file": name,
        "size": len(data),
        "year": year,
        "format": outcome["ledger"]["format"],
        "requests": outcome["tables"]["requests"],
        "applications": outcome["ledger"]["applications"],
        "counted": outcome["ledger"]["counted"],
        "carried_over": outcome["ledger"]["carried_over"],
        "fees_yuan": outcome["ledger"]["fees_yuan"],
        "counts": outcome["counts"],
        "findings": _ledger_findings(outcome["findings"], ui),
    }
    return answer


def ledger_values(answer: Mapping[str, Any]) -> dict[str, str]:
    """The form's fields the ledger fills: the year, its format and every cell of table 三."""
    values = {"year": str(answer["year"]), "format": str(answer["format"])}
    for rkey, cols in (answer.get("requests") or {}).items():
        for ckey, value in (cols or {}).items():
            values[cell_name("requests", rkey, ckey)] = "" if value is None else str(value)
    return values


@router.post(
    "/write/ledger",
    tags=["write"],
    summary="Count table 3 from a request ledger (CSV/XLSX); nothing is stored",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "ledger": {"type": "string", "format": "binary"},
                            "year": {"type": "integer"},
                            "carried_over": {"type": "string"},
                        },
                        "required": ["ledger", "year"],
                    }
                }
            },
        }
    },
)
async def write_ledger(request: Request) -> Response:
    """申请台账（CSV 或 XLSX）→ 表三和逐件核对的问题（L001…），不保存。

    `ledger` the file (at most the upload limit), `year` the report year, `carried_over`
    optionally last year's 结转下年度 figure (`3`, or `自然人=2,商业企业=1`). The answer holds table
    三 (`requests`, `{row: {column: number}}` under the format's keys) and the ledger's findings,
    as `gongkai ledger --format json`. A page that asks for HTML gets the 编写 page filled in."""
    try:
        answer, others = await handle_ledger(request)
    except LedgerRefused as exc:
        if wants_json(request):
            return JSONResponse(error_body(exc.status, exc.message), status_code=exc.status)
        return write_page(request, values=exc.fields, ledger_error=exc.message, status=exc.status)
    if wants_json(request):
        return JSONResponse(answer)
    return write_page(request, values={**others, **ledger_values(answer)}, ledger=answer)


# --- POST /write/download --------------------------------------------------------------------


def _save(report: Report, fmt: str, force: bool) -> tuple[Any, bytes | None, str]:
    """``gongkai write``'s checked save into a temporary folder: (the result, the file's bytes
    when saved, its name)."""
    from gongkai.corpus.write import save_checked

    name = default_name(report, fmt, "report")
    with tempfile.TemporaryDirectory(prefix="gongkai-write-") as folder:
        dest = Path(folder) / name
        result = save_checked(report, fmt, dest, force=force)
        data = dest.read_bytes() if result.saved else None
    return result, data, name


def refusal(result: Any, fmt: FormatSpec, ui: UI) -> dict[str, Any]:
    """Why a file was not written, for the page: the error findings, a read-back that differs,
    a file that did not read back, checks that crashed."""
    errors = [finding_json(f, fmt, ui) for f in result.findings if f.severity == "error"]
    read_error = None
    if result.read_error is not None:
        read_error = ui.t(result.read_error.message_zh, result.read_error.message_en)
    return {
        "errors": errors,
        "differences": list(result.differences),
        "read_error": read_error,
        "check_error": result.check_error,
    }


@router.post("/write/download", include_in_schema=False)
async def write_download(request: Request) -> Response:
    ui = UI(request_lang(request))
    st = state(request)
    fields = await _fields(request)
    fmt_name = _field(fields, "fmt") or "docx"
    if fmt_name not in DOWNLOAD_TYPES:
        raise HTTPException(400, detail=ui.t("文件格式应为 docx、html 或 md。", "The format must be docx, html or md."))
    force = _field(fields, "force") in ("1", "on", "true", "yes")
    built = await run_in_threadpool(build_report, fields)
    if built.report is None or built.errors:
        refused = {
            "errors": [],
            "input_errors": [e.to_dict(built.format, ui) for e in built.errors],
            "differences": [],
            "read_error": None,
            "check_error": None,
        }
        return _refused(request, fields, refused)
    if not st.export_slots.acquire(blocking=False):
        return busy(request, ui)
    try:
        result, data, name = await run_in_threadpool(_save, built.report, fmt_name, force)
    finally:
        st.export_slots.release()
    if data is None:
        return _refused(request, fields, refusal(result, built.format, ui) | {"input_errors": []})
    headers = {"Content-Disposition": content_disposition(name)}
    if result.refused:
        headers["X-Gongkai-Errors"] = str(result.errors)
    return Response(data, media_type=DOWNLOAD_TYPES[fmt_name], headers=headers)


def _refused(request: Request, fields: Mapping[str, Any], refused: dict[str, Any]) -> Response:
    ui = UI(request_lang(request))
    n = len(refused["errors"]) + len(refused["input_errors"])
    message = ui.t(
        f"未生成：审核发现 {n} 个错误。请修改后重试，或勾选“仍然生成”。",
        f"Not written: the check found {n} errors. Fix them and try again, or tick “write anyway”.",
    )
    if wants_json(request):
        return JSONResponse(error_body(422, message) | {"refused": refused}, status_code=422)
    values = {k: v for k, v in fields.items() if isinstance(v, str)}
    return write_page(request, values=values, refused=refused | {"message": message}, status=422)


__all__ = ["build_report", "check_fields", "router", "source_object"]
