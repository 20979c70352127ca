"""Report view (``/reports/{id}``): the six sections and three tables laid out like the national
format, cells with findings lit (rule and figures on hover), the source text beside it with the
lines lit (``#L123``), and the review decisions.

Twins: ``/reports/{id}.json``; ``.csv?table=requests`` (one table), ``.xlsx`` (all tables and the
findings), ``.zip`` (every table as CSV). Decisions: ``POST /reports/{id}/decisions`` (form) or
``POST /api/decisions`` (JSON).

The original file (``/reports/{id}/original``) is sent from where it was ingested or uploaded —
the path the database has for that report id, never one from the request — if it is still there
and still the file that was read (its SHA-256): PDF and plain text shown by the browser, an HTML
page shown sandboxed (no script runs, no cookie is read: a page of its own origin), Word saved.
A file moved, renamed or deleted since is answered 404 saying so (the figures and findings stay
in the database; put the file back, or ingest or upload it again); a file changed since, 409.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from gongkai.formats import load_format, section_specs
from gongkai.store.queries import reports as q_reports
from gongkai.store.queries.base import as_dict
from gongkai.store.queries.findings import finding_exists, report_findings
from gongkai.views.figures import figure_name, shown_figures
from gongkai.views.web import decisions
from gongkai.views.web.app import state
from gongkai.views.web.data import (
    DECISION_NAMES,
    SEVERITY_NAMES,
    TABLE_NAMES,
    cell_anchor,
    figures_text,
    finding_dicts,
    row_anchor,
    rule_title,
)
from gongkai.views.web.db import WebDB
from gongkai.views.web.grid import HEAD_ROLES, Grid, report_grid
from gongkai.views.web.render import (
    UI,
    Column,
    DataTable,
    Page,
    content_disposition,
    file_chunks,
    request_lang,
    respond,
    reviewer_of,
    set_reviewer,
    split_ext,
)
from gongkai.views.web.source import source_text
from gongkai.views.web.workbooks import report_workbook

router = APIRouter()

SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


@dataclass(slots=True)
class CellView:
    text: str
    tag: str = "td"
    rowspan: int = 1
    colspan: int = 1
    classes: list[str] = field(default_factory=list)
    title: str = ""
    id: str | None = None
    href: str | None = None
    line: int | None = None  # the source line (value cells, and labels of rows read from one line)


@dataclass(slots=True)
class TableView:
    key: str
    title: str
    rows: list[list[CellView]]
    findings: list[dict[str, Any]]  # findings on the table as a whole or on a column


def _worst(findings: list[dict[str, Any]]) -> str | None:
    live = [f for f in findings if f.get("decision") != "dismissed"]
    if not live:
        return "dismissed" if findings else None
    return min((str(f["severity"]) for f in live), key=lambda s: SEVERITY_RANK.get(s, 3))


def finding_hover(f: Mapping[str, Any], ui: UI, names: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """A finding as a cell's or a line's tooltip: rule, severity, message, figures (by their names
    in *names*: anchor → key → name), the decision."""
    sev = SEVERITY_NAMES.get(str(f.get("severity")), (f.get("severity"), f.get("severity")))
    parts = [f"{f['code']} {ui.t(str(sev[0]), str(sev[1]))}: {ui.msg(dict(f))}"]
    own = (names or {}).get(str(f.get("anchor")), {})
    figures = f.get("figures") or {}
    figs = figures_text({own.get(k, k): v for k, v in figures.items()} if isinstance(figures, Mapping) else figures)
    if figs:
        parts.append(ui.t("数值：", "Figures: ") + figs)
    if f.get("decision") in DECISION_NAMES:
        parts.append(ui.t("审核：", "Review: ") + ui.t(*DECISION_NAMES[f["decision"]]))
    return "\n".join(parts)


def _table_view(
    grid: Grid,
    by_cell: Mapping[tuple[str, str, str], list[dict[str, Any]]],
    by_row: Mapping[tuple[str, str], list[dict[str, Any]]],
    table_findings: list[dict[str, Any]],
    ui: UI,
    names: Mapping[str, Mapping[str, str]] | None = None,
) -> TableView:
    rows: list[list[CellView]] = []
    for r, cells in enumerate(grid.rows):
        out: list[CellView] = []
        row_line = next((c.value.get("line") for c in cells if c.value is not None and c.value.get("line")), None)
        for c in cells:
            view = CellView(c.text, rowspan=c.rowspan, colspan=c.colspan)
            if c.role in HEAD_ROLES or r < grid.header_rows:
                view.tag = "th"
                view.classes.append(f"role-{c.role}")
            elif c.role == "label":
                view.tag = "th"
                view.classes.append("role-label")
                view.line = row_line
                if c.row_key is not None:
                    view.id = row_anchor(grid.key, c.row_key)
                    found = by_row.get((grid.key, c.row_key), [])
                    worst = _worst(found)
                    if worst:
                        view.classes += ["lit", f"sev-{worst}"]
                        view.title = "\n\n".join(finding_hover(f, ui, names) for f in found)
            else:
                view.classes.append("num")
                if c.row_key is not None and c.column is not None:
                    view.id = cell_anchor(grid.key, c.row_key, c.column)
                    found = by_cell.get((grid.key, c.row_key, c.column), [])
                    worst = _worst(found)
                    if worst:
                        view.classes += ["lit", f"sev-{worst}"]
                        view.title = "\n\n".join(finding_hover(f, ui, names) for f in found)
                    v = c.value
                    if v is not None:
                        if v.get("line"):
                            view.href = f"#L{v['line']}"
                            view.line = v["line"]
                        if v.get("status"):
                            view.classes.append(f"st-{v['status']}")
                        raw = v.get("raw")
                        if raw and raw != c.text and not view.title:
                            view.title = ui.t("原文：", "As written: ") + str(raw)
                    else:
                        view.classes.append("absent")
            out.append(view)
        rows.append(out)
    tname = TABLE_NAMES.get(grid.key, (grid.key, grid.key))
    return TableView(grid.key, ui.t(tname[0], tname[1]), rows, table_findings)


def load_report(db: WebDB, rid: int) -> dict[str, Any]:
    row = q_reports.report(db.cursor(), rid)
    if row is None:
        raise HTTPException(404, detail=None)
    return db.show_paths([as_dict(row)])[0]


def report_page(db: WebDB, rid: int, ui: UI) -> Page:
    report = load_report(db, rid)
    cur = db.cursor()
    sections = [as_dict(s) for s in q_reports.sections(cur, rid)]
    values = [as_dict(v) for v in q_reports.values(cur, rid)]
    findings = finding_dicts(db, report_findings(cur, rid))
    for f in findings:
        f["rule_title"] = rule_title(str(f["code"]), ui.lang)
    # The figures' names as people read them (the JSON keeps the keys): anchor → key → name; and
    # the figures shown under each finding, a long list by the ones that are not zero.
    figure_names = {
        f["anchor"]: {
            k: figure_name(k, ui.lang, code=str(f["code"]), table=f.get("table"), figures=f["figures"], format_id=fid)
            for k in f["figures"]
        }
        for f in findings
        for fid in [report.get("format")]
    }
    figures_shown = {f["anchor"]: shown_figures(list(f["figures"].items())) for f in findings if f["figures"]}
    history = decisions.history(cur, report["sha256"])
    others = (
        [as_dict(o) for o in q_reports.other_reports(cur, report["agency_key"], rid)]
        if report.get("agency_key")
        else []
    )
    versions = db.show_paths([as_dict(v) for v in q_reports.versions(cur, rid)]) if report.get("agency_key") else []
    related_ids = sorted({int(f["related_report"]) for f in findings if f.get("related_report")})
    related = {r.id: as_dict(r) for r in q_reports.report_names(cur, related_ids)}

    by_cell: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    by_row: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    by_table: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_section: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_line: dict[int, list[dict[str, Any]]] = defaultdict(list)
    general: list[dict[str, Any]] = []
    for f in findings:
        t, r, c = f.get("table"), f.get("row"), f.get("column")
        if t and r and c:
            by_cell[(t, r, c)].append(f)
        elif t and r:
            by_row[(t, r)].append(f)
        elif t:
            by_table[t].append(f)
        elif f.get("section"):
            by_section[f["section"]].append(f)
        else:
            general.append(f)
        if f.get("line"):
            by_line[int(f["line"])].append(f)

    fmt = load_format(report["format"]) if report.get("format") in ("2019", "2021") else None
    values_by_table: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for v in values:
        values_by_table[v["table_key"]].append(v)
    table_views: dict[str, TableView] = {}
    if fmt is not None:
        for tkey, spec in fmt.tables.items():
            if values_by_table.get(tkey):
                grid = report_grid(spec, values_by_table[tkey])
                table_views[tkey] = _table_view(grid, by_cell, by_row, by_table.get(tkey, []), ui, figure_names)

    stored = {s["key"]: s for s in sections}
    section_views = []
    for sspec in section_specs():
        s = stored.get(sspec.key)
        paragraphs = [p.strip().lstrip("#").strip() for p in (s["text"] or "").split("\n")] if s else []
        paragraphs = [p for p in paragraphs if p]
        found = by_section.get(sspec.key, [])
        section_views.append(
            {
                "key": sspec.key,
                "title": (s["title"] if s and s["title"] else sspec.title),
                "found": s is not None,
                "line": s["line"] if s else None,
                "paragraphs": paragraphs,
                "table": table_views.get(sspec.key),
                "findings": found,
                "worst": _worst(found),
            }
        )

    src = source_text(db.source_path(rid), report.get("sha256"))
    lit_lines = {line: _worst(fs) for line, fs in by_line.items()}
    line_titles = {line: "\n\n".join(finding_hover(f, ui, figure_names) for f in fs) for line, fs in by_line.items()}

    data: dict[str, Any] = {
        "report": report,
        "sections": sections,
        "values": _values_nested(values),
        "findings": findings,
        "decisions": history,
        "source": {"status": src.status, "kind": src.kind, "lines": len(src.lines)},
        "other_reports": others,
        "versions": versions,
    }
    title = report.get("title") or (
        f"{report.get('agency') or ui.t('（未识别机关）', '(unknown agency)')} {report.get('year') or ''}"
    )
    counts = {"error": 0, "warning": 0, "info": 0, "dismissed": 0}
    for f in findings:
        counts["dismissed" if f.get("decision") == "dismissed" else str(f["severity"])] += 1
    return Page(
        template="report.html",
        title=str(title),
        data=data,
        tables=_download_tables(fmt, values, findings),
        extra={
            "report": report,
            "section_views": section_views,
            "findings": findings,
            "general_findings": general,
            "history": history,
            "source": src,
            "lit_lines": lit_lines,
            "line_titles": line_titles,
            "others": others,
            "versions": versions,
            "related": related,
            "counts": counts,
            "figure_names": figure_names,
            "figures_shown": figures_shown,
            "agency_href": f"/agencies/{quote(report['agency_key'], safe='')}" if report.get("agency_key") else None,
            "original": ORIGINAL_KINDS.get(report.get("kind") or "", ORIGINAL_OTHER),
            "original_state": _original_state(db.source_path(rid), report.get("sha256"), src.status),
        },
        filename=f"gongkai-report-{rid}",
        workbook=report_workbook(db, rid),  # the .xlsx: gongkai export's sheets of this report
    )


def _values_nested(values: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for v in values:
        out.setdefault(v["table_key"], {}).setdefault(v["row_key"], {})[v["column_key"]] = {
            "value": v["value"],
            "raw": v["raw"],
            "line": v["line"],
            "status": v["status"],
            "extra_row": v["extra_row"],
        }
    return out


def _download_tables(fmt: Any, values: list[dict[str, Any]], findings: list[dict[str, Any]]) -> dict[str, DataTable]:
    tables: dict[str, DataTable] = {}
    if fmt is not None:
        for tkey, spec in fmt.tables.items():
            rows = [v for v in values if v["table_key"] == tkey]
            if not rows:
                continue
            tname = TABLE_NAMES[tkey]
            cols = [Column("row_key", "行键", "Row key"), Column("row_label", "行", "Row")]
            cols += [Column(k, c.label, k) for k, c in spec.columns.items()]
            table = DataTable(tkey, tname[0], tname[1], cols)
            ordered: dict[tuple[int, str], dict[str, Any]] = {}
            for v in rows:
                entry = ordered.setdefault(
                    (v["row_order"], v["row_key"]), {"row_key": v["row_key"], "row_label": v["row_label"]}
                )
                entry[v["column_key"]] = v["value"] if v["value"] is not None else (v["raw"] or None)
            for (_order, _key), entry in sorted(ordered.items()):
                table.rows.append([entry.get(c.key) for c in cols])
            tables[tkey] = table
    fcols = [
        Column("code", "规则", "Rule"),
        Column("severity", "级别", "Severity"),
        Column("message", "说明", "Message"),
        Column("message_en", "说明（英文）", "Message (English)"),
        Column("section", "章节", "Section"),
        Column("table", "表", "Table"),
        Column("row", "行", "Row"),
        Column("column", "列", "Column"),
        Column("line", "行号", "Line"),
        Column("figures", "数值", "Figures"),
        Column("decision", "审核结论", "Decision"),
        Column("decision_reviewer", "审核人", "Reviewer"),
        Column("decided_at", "审核时间", "Decided at"),
        Column("decision_comment", "审核意见", "Comment"),
    ]
    ft = DataTable("findings", "审核发现", "Findings", fcols)
    ft.rows = [[f.get(c.key) for c in fcols] for f in findings]
    tables["findings"] = ft
    return tables


def parse_id(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise HTTPException(404, detail=None) from None


@router.get("/reports/{rid}", include_in_schema=False)
def report(request: Request, rid: str) -> Response:
    base, fmt = split_ext(rid)
    page = report_page(state(request).db, parse_id(base), UI(request_lang(request)))
    return respond(request, page, fmt)


@router.get("/reports/{rid}/source.txt", include_in_schema=False)
def report_source(request: Request, rid: str) -> Response:
    """The source text as the parser read it, with line numbers as in the report view."""
    db = state(request).db
    report = load_report(db, parse_id(rid))
    src = source_text(db.source_path(int(report["id"])), report.get("sha256"))
    if src.status not in ("ok", "changed"):
        ui = UI(request_lang(request))
        raise HTTPException(404, detail=ui.t("源文件已不在原处。", "The source file is no longer where it was."))
    return Response("\n".join(src.lines) + "\n", media_type="text/plain; charset=utf-8")


# kind → (media type, shown by the browser, label); text gets its charset from reports.encoding.
ORIGINAL_KINDS: dict[str, tuple[str, bool, str]] = {
    "pdf": ("application/pdf", True, "PDF"),
    "html": ("text/html", True, "HTML"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", False, "Word"),
    "text": ("text/plain", True, "TXT"),
}
ORIGINAL_OTHER = ("application/octet-stream", False, "")
# An HTML page from a report's site runs nothing and reaches nothing of this app: a sandbox (an
# origin of its own, no script, no form, no cookie), no script or frame, its styles and images only.
ORIGINAL_HTML_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
_CHARSET = re.compile(r"^[A-Za-z0-9_.:-]{1,40}$")


@router.get("/reports/{rid}/original", include_in_schema=False)
def report_original(request: Request, rid: str) -> Response:
    """The file the report was read from, as it was ingested or uploaded (see the module's doc)."""
    db = state(request).db
    ui = UI(request_lang(request))
    report = load_report(db, parse_id(rid))
    real = db.source_path(int(report["id"]))
    shown = str(report.get("path") or "")
    f = _open_file(real)
    if f is None:
        raise HTTPException(
            404,
            detail=ui.t(
                f"原件已不在导入时的位置（{shown}）：文件被移动、改名或删除了。数据库里解析出的数值和审核发现仍在，"
                "但无法提供原件。把文件放回原处，或在新位置重新导入（gongkai ingest）、重新上传，即可再次打开。",
                f"The original is no longer where it was ingested from ({shown}): it was moved, renamed or deleted. "
                "The figures and findings read from it stay in the database, but the file cannot be served. Put it "
                "back, or ingest it from its new place (gongkai ingest) or upload it again, to open it here.",
            ),
        )
    digest = hashlib.sha256()
    size = 0
    try:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
        f.seek(0)
    except OSError:
        f.close()
        raise
    if report.get("sha256") and digest.hexdigest() != report["sha256"]:
        f.close()
        raise HTTPException(
            409,
            detail=ui.t(
                f"原件（{shown}）在导入后已改动，不再是审核过的那份文件（SHA-256 不同）。请重新导入或重新上传。",
                f"The original ({shown}) changed after it was ingested: it is no longer the file that was checked "
                "(its SHA-256 differs). Ingest or upload it again.",
            ),
        )
    media, inline, _label = ORIGINAL_KINDS.get(report.get("kind") or "", ORIGINAL_OTHER)
    encoding = str(report.get("encoding") or "")
    if media.startswith("text/") and _CHARSET.match(encoding):
        media += f"; charset={encoding}"
    name = os.path.basename(real or "") or f"report-{report['id']}"
    headers = {
        "Content-Disposition": content_disposition(name, inline=inline),
        "Content-Length": str(size),
        "Cache-Control": "private, no-cache",
    }
    if report.get("kind") == "html":
        headers["Content-Security-Policy"] = ORIGINAL_HTML_CSP
    return StreamingResponse(file_chunks(f), media_type=media, headers=headers)


def _original_state(path: str | None, sha256: str | None, source_status: str) -> str:
    """Can the original be served: "ok", "missing" (moved, renamed, deleted) or "changed" since
    it was ingested. The source view has read the file already, unless it could not read it."""
    if source_status in ("ok", "missing", "changed"):
        return source_status
    f = _open_file(path)
    if f is None:
        return "missing"
    digest = hashlib.sha256()
    with f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return "changed" if sha256 and digest.hexdigest() != sha256 else "ok"


def _open_file(path: str | None) -> IO[bytes] | None:
    if not path or not os.path.isfile(path):  # a regular file only (a FIFO would block the open)
        return None
    try:
        return open(path, "rb")
    except OSError:
        return None


def decide(
    db: WebDB, rid: int, key_token: str, decision: str, comment: str | None, reviewer: str | None
) -> dict[str, Any]:
    """Record a decision on a finding of report *rid*; raises HTTPException on bad input."""
    report = load_report(db, rid)
    try:
        key = decisions.key_from_token(report["sha256"], key_token)
    except ValueError:
        raise HTTPException(400, detail="bad finding key / 发现编号有误") from None
    if decision not in decisions.DECISIONS:
        raise HTTPException(400, detail=f"decision: {' | '.join(decisions.DECISIONS)}")
    if not finding_exists(db.cursor(), rid, key.code, key.section, key.table, key.row, key.column, key.line):
        raise HTTPException(404, detail="no such finding / 没有这条发现")
    with db.writing() as con:
        return decisions.record(con, key, decision, comment, reviewer)


@router.post("/reports/{rid}/decisions", include_in_schema=False)
async def report_decision(request: Request, rid: str) -> Response:
    form = await request.form()
    reviewer = str(form.get("reviewer") or reviewer_of(request) or "")
    anchor = str(form.get("anchor") or "findings")
    decide(
        state(request).db,
        parse_id(rid),
        str(form.get("key") or ""),
        str(form.get("decision") or ""),
        str(form.get("comment") or ""),
        reviewer,
    )
    resp = RedirectResponse(f"/reports/{parse_id(rid)}#{quote(anchor)}", status_code=303)
    set_reviewer(resp, reviewer)
    return resp
