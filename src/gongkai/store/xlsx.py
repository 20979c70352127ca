"""One XLSX writer for every workbook gongkai writes: ``gongkai export --format xlsx``, the web
app's ``.xlsx`` downloads, ``gongkai sum`` and ``gongkai roster`` with ``--format xlsx``.

A workbook is a list of :class:`Sheet`: columns with a Chinese and an English head, and rows of
values. :func:`write_workbook` writes every sheet the same way:

- one header row in the reader's language (Chinese; English with ``--lang en`` or the web's
  language switch) — no second row of keys or English heads;
- the header row frozen, an autofilter over the whole table, column widths from the heads and
  the first rows (a Chinese character counts twice);
- text as string cells, never formulas (:mod:`gongkai.store.safe_cells`): a file named
  ``=1+2.txt`` is shown as ``=1+2.txt``; numbers stay numbers;
- links (:class:`Link`) as hyperlinks.

The corpus sheets (:func:`corpus_sheets`: the reports, the statistics tables laid out like the
national format, the findings with their review decisions) lead with the agency, the year and
the region (province, city, county, division code); rows, columns, tables and sections carry the
format's Chinese labels (``formats/*.toml``), findings the rule's title and the severity in
words. With a base URL (``gongkai export --base-url``; on the web the request's own address) each
row links to its report's page — the finding, the table — and to the original file, at the PDF
page where the page is known. The source address a crawler noted (原文链接) is not kept in the
database, so it is not linked.

Rows are read in batches and written as they come (openpyxl's write-only mode): a corpus of any
size is never held in memory; a sheet over Excel's row limit raises :class:`TooManyRows`.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from itertools import chain, islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from gongkai.formats import load_format, section_specs, table_names
from gongkai.rules.base import SEVERITY_NAMES
from gongkai.store.queries.base import Connection
from gongkai.store.queries.findings import DECISION_STATE, FINDINGS_FROM, SEVERITY_ORDER, FindingFilter
from gongkai.store.safe_cells import xlsx_cell
from gongkai.store.schema import quote, view_columns

if TYPE_CHECKING:
    from gongkai.store.aggregate import RegionSum
    from gongkai.store.roster import Expected

XLSX_MAX_ROWS = 1_048_576
SHEET_TITLE_MAX = 31
WIDTH_SAMPLE = 200  # rows read ahead to size the columns
WIDTH_MIN, WIDTH_MAX = 6, 60
BATCH = 5_000
_SHEET_BAD = str.maketrans({c: "_" for c in "[]:*?/\\"})

DECISION_LABELS = {"confirmed": ("已确认", "confirmed"), "dismissed": ("已驳回", "dismissed"), None: ("待审", "open")}
STATUS_LABELS = {"ok": ("已解析", "parsed"), "failed": ("无法读取", "failed")}


class TooManyRows(ValueError):
    """A sheet has more rows than Excel allows (1,048,576 with the header)."""


# --- the writer ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Link:
    """A cell that is a hyperlink: *text* shown, *url* opened."""

    url: str
    text: str


@dataclass(frozen=True, slots=True)
class Col:
    key: str
    zh: str
    en: str

    def head(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


@dataclass(slots=True)
class Sheet:
    """A sheet: *name* (what ``?table=`` picks), its titles, columns and rows (values in column
    order; an iterable read once, when the sheet is written). *table* is the statistics table it
    shows, if any. An *optional* sheet without rows is left out of the workbook."""

    name: str
    zh: str
    en: str
    columns: Sequence[Col]
    rows: Iterable[Sequence[Any]]
    table: str | None = None
    optional: bool = False

    def title(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def picked(self, name: str) -> bool:
        """Is this the sheet ``?table=name`` asks for (its name or its statistics table)?"""
        return name in (self.name, self.table)


def write_workbook(out: Path | IO[bytes], sheets: Iterable[Sheet], lang: str = "zh") -> list[str]:
    """Write *sheets* as one workbook to *out* (a path — written to a temporary file beside it and
    renamed into place — or a binary file); returns the sheet titles written. A workbook with no
    sheet gets one saying there is no data."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    titles: list[str] = []
    for sheet in sheets:
        title = _unique_title(sheet.title(lang) or sheet.name, titles)
        if add_sheet(wb, sheet, lang, title=title):
            titles.append(title)
    if not titles:
        ws = wb.create_sheet(pick(("（无数据）", "(no data)"), lang))
        ws.append([xlsx_cell(ws, ws.title)])
        titles.append(ws.title)
    if isinstance(out, Path):
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
        os.close(fd)
        try:
            wb.save(tmp)
            os.replace(tmp, out)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    else:
        wb.save(out)
    return titles


def add_sheet(wb: Any, sheet: Sheet, lang: str = "zh", *, title: str | None = None) -> bool:
    """Add *sheet* to the write-only workbook *wb*: one header row, frozen, an autofilter, column
    widths; text never a formula. False when it is optional and has no rows (nothing added)."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    rows = iter(sheet.rows)
    ahead = list(islice(rows, WIDTH_SAMPLE))
    if not ahead and sheet.optional:
        return False
    ws = wb.create_sheet(title or _unique_title(sheet.title(lang) or sheet.name, []))
    heads = [c.head(lang) for c in sheet.columns]
    for i, width in enumerate(_widths(heads, ahead), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="EEEEEE")
    link_font = Font(color="0563C1", underline="single")
    ws.append([xlsx_cell(ws, h, font=bold, fill=fill) for h in heads])
    n = 0
    for row in chain(ahead, rows):
        n += 1
        if n + 1 > XLSX_MAX_ROWS:
            ws.close()  # the sheet's stream ended cleanly; the workbook is not saved
            raise TooManyRows(f"{sheet.name}: > {XLSX_MAX_ROWS - 1}")
        ws.append([_cell(ws, v, link_font) for v in row])
    last = get_column_letter(max(1, len(heads)))
    ws.auto_filter.ref = f"A1:{last}{n + 1}"
    return True


def _cell(ws: Any, value: Any, link_font: Any) -> Any:
    if isinstance(value, Link):
        cell = xlsx_cell(ws, value.text, font=link_font)
        cell.hyperlink = value.url
        return cell
    return xlsx_cell(ws, plain_value(value))


def plain_value(value: Any) -> Any:
    """A value as a cell holds it: decimals as numbers, nested data as JSON text."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def text_width(value: Any) -> int:
    """How many columns *value* takes in a spreadsheet: wide (Chinese) characters count two."""
    text = value.text if isinstance(value, Link) else "" if value is None else str(plain_value(value))
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _widths(heads: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[float]:
    out = []
    for i, head in enumerate(heads):
        widest = max([text_width(head) + 2, *(text_width(r[i]) for r in rows if i < len(r))])
        out.append(float(min(WIDTH_MAX, max(WIDTH_MIN, widest + 1))))
    return out


def _unique_title(title: str, used: Sequence[str]) -> str:
    base = title.translate(_SHEET_BAD).strip("'")[:SHEET_TITLE_MAX] or "sheet"
    out, n = base, 1
    while out.lower() in {u.lower() for u in used}:
        n += 1
        suffix = f"_{n}"
        out = base[: SHEET_TITLE_MAX - len(suffix)] + suffix
    return out


# --- labels -------------------------------------------------------------------------------------


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


@cache
def rule_titles() -> dict[str, tuple[str, str]]:
    """Rule code → (Chinese title, English title), every rule of the catalogue."""
    from gongkai.rules import all_rules

    return {r.code: (r.title_zh, r.title_en) for r in all_rules()}


@cache
def _row_labels() -> dict[tuple[str, str, str], str]:
    """(format, table, row key) → the format's label of the row."""
    out: dict[tuple[str, str, str], str] = {}
    for fmt in ("2019", "2021"):
        for tkey, spec in load_format(fmt).tables.items():
            for rkey, row in spec.rows.items():
                out[(fmt, tkey, rkey)] = row.label
    return out


def row_label(fmt: str | None, table: str | None, row: str | None, written: str | None = None) -> str | None:
    """A row in the format's words; an agency-added row (its key is its label) as written."""
    if not row:
        return written
    labels = _row_labels()
    for f in (fmt, "2021", "2019") if fmt else ("2021", "2019"):
        label = labels.get((str(f), str(table), row))
        if label:
            return label
    return written or row


@cache
def _column_labels() -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for fmt in ("2019", "2021"):
        for tkey, spec in load_format(fmt).tables.items():
            for ckey, col in spec.columns.items():
                out.setdefault((tkey, ckey), col.label)
    return out


def column_label(table: str | None, column: str | None) -> str | None:
    if not column:
        return None
    return _column_labels().get((str(table), column), column)


def table_label(table: str | None, lang: str) -> str | None:
    if not table:
        return None
    names = table_names().get(table)
    return (names[1].capitalize() if lang == "en" else names[0]) if names else table


@cache
def _section_titles() -> dict[str, str]:
    return {s.key: s.title for s in section_specs()}


def section_label(section: str | None) -> str | None:
    return _section_titles().get(section, section) if section else None


def figures_text(figures: Any) -> str | None:
    """The figures of a finding (JSON text or a mapping) as ``a=1, b=空``."""
    if isinstance(figures, str):
        try:
            figures = json.loads(figures)
        except ValueError:
            return figures
    if not figures:
        return None
    if not isinstance(figures, dict):
        return str(figures)
    return ", ".join(f"{k}={'空' if v is None else v}" for k, v in figures.items())


# --- links --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Links:
    """Links to the web app (*base_url*, e.g. ``http://127.0.0.1:8000``); none without one."""

    base_url: str | None = None
    lang: str = "zh"

    @property
    def on(self) -> bool:
        return bool(self.base_url)

    def columns(self) -> list[Col]:
        return [Col("report_page", "报告页", "Report page"), Col("original", "原件", "Original")] if self.on else []

    def cells(self, report: int, anchor: str, kind: str | None, page: int | None) -> list[Any]:
        if not self.base_url:
            return []
        base = self.base_url.rstrip("/")
        page_link = Link(f"{base}/reports/{report}{'#' + anchor if anchor else ''}", pick(("打开", "open"), self.lang))
        original = f"{base}/reports/{report}/original"
        if kind == "pdf" and page:
            text = f"第 {page} 页" if self.lang != "en" else f"page {page}"
            return [page_link, Link(f"{original}#page={page}", text)]
        return [page_link, Link(original, pick(("原件", "original"), self.lang))]


# --- the corpus sheets --------------------------------------------------------------------------


PLACE = (
    Col("agency", "机关", "Agency"),
    Col("year", "年度", "Year"),
    Col("province", "省", "Province"),
    Col("city", "市", "City"),
    Col("county", "县（区）", "County"),
    Col("region_code", "区划代码", "Division code"),
)
PLACE_SQL = 'r.agency, r."year", r.province, r.city, r.county, r.region_code'
ORDER = 'r.agency_key NULLS LAST, r."year", r.id'


@dataclass(frozen=True, slots=True)
class Scope:
    """Which reports and findings the corpus sheets hold: the problems list's filter (its
    region, year and search select reports; its rule, severity and review state select findings),
    optionally only the reports *reports*."""

    filter: FindingFilter = field(default_factory=lambda: FindingFilter(decision="all"))
    reports: tuple[int, ...] | None = None

    def where(self, *, with_findings: bool) -> tuple[str, list[Any]]:
        where, params = self.filter.where(with_findings=with_findings, status=None)
        if self.reports is not None:
            where += " AND r.id IN (SELECT unnest(?))"
            params.append(list(self.reports))
        return where, params


@dataclass(frozen=True, slots=True)
class Context:
    """How the corpus sheets are written: the language, the links, how a path is shown."""

    lang: str = "zh"
    base_url: str | None = None
    show_path: Callable[[str], str] | None = None

    @property
    def links(self) -> Links:
        return Links(self.base_url, self.lang)

    def path(self, path: Any) -> Any:
        return self.show_path(path) if self.show_path and isinstance(path, str) else path


def _batches(con: Connection, sql: str, params: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
    cur = con.cursor()
    try:
        cur.execute(sql, list(params))
        while chunk := cur.fetchmany(BATCH):
            yield from chunk
    finally:
        cur.close()


REPORT_COLUMNS = (
    *PLACE,
    Col("title", "标题", "Title"),
    Col("format", "格式", "Format"),
    Col("signed_on", "成文日期", "Signed"),
    Col("published_on", "发布日期", "Published"),
    Col("status", "状态", "Status"),
    Col("error", "失败原因", "Failure"),
    Col("errors", "错误", "Errors"),
    Col("warnings", "警告", "Warnings"),
    Col("infos", "提示", "Notes"),
    Col("dismissed", "已驳回", "Dismissed"),
    Col("path", "文件", "File"),
    Col("kind", "文件类型", "Kind"),
    Col("report", "报告编号", "Report id"),
    Col("sha256", "SHA-256", "SHA-256"),
)


def reports_sheet(con: Connection, scope: Scope, ctx: Context) -> Sheet:
    """The reports, one a row: place, title, dates, status, open findings by severity."""
    where, params = scope.where(with_findings=False)
    sql = f"""SELECT {PLACE_SQL}, r.title, r."format", r.signed_on, r.published_on, r.status,
      r.error_zh, r.error_en, c.errors, c.warnings, c.infos, c.dismissed, r.path, r.kind, r.id, r.sha256
    FROM reports r LEFT JOIN (
      SELECT f.report,
        count(*) FILTER (WHERE f.severity = 'error' AND {DECISION_STATE} IS DISTINCT FROM 'dismissed') AS errors,
        count(*) FILTER (WHERE f.severity = 'warning' AND {DECISION_STATE} IS DISTINCT FROM 'dismissed') AS warnings,
        count(*) FILTER (WHERE f.severity = 'info' AND {DECISION_STATE} IS DISTINCT FROM 'dismissed') AS infos,
        count(*) FILTER (WHERE {DECISION_STATE} = 'dismissed') AS dismissed
      FROM {FINDINGS_FROM} GROUP BY f.report) c ON c.report = r.id
    WHERE {where} ORDER BY {ORDER}"""
    links = ctx.links

    def rows() -> Iterator[list[Any]]:
        for r in _batches(con, sql, params):
            *place, title, fmt, signed, published, status, err_zh, err_en = r[:13]
            errors, warnings, infos, dismissed, path, kind, rid, sha = r[13:]
            error = (err_en or err_zh) if ctx.lang == "en" else (err_zh or err_en)
            yield [
                *place,
                title,
                fmt,
                signed,
                published,
                pick(STATUS_LABELS.get(status, (status, status)), ctx.lang),
                error,
                errors or 0,
                warnings or 0,
                infos or 0,
                dismissed or 0,
                ctx.path(path),
                kind,
                rid,
                sha,
                *links.cells(rid, "", kind, None),
            ]

    return Sheet("reports", "报告", "Reports", [*REPORT_COLUMNS, *links.columns()], rows())


# name, view, table key, format (None: both), Chinese title, English title
TABLE_SHEETS: tuple[tuple[str, str, str, str | None, str, str], ...] = (
    (
        "proactive_2019",
        "v_proactive_2019",
        "proactive",
        "2019",
        "表二 主动公开（2019格式）",
        "Table 2 proactive (2019)",
    ),
    (
        "proactive_2021",
        "v_proactive_2021",
        "proactive",
        "2021",
        "表二 主动公开（2021格式）",
        "Table 2 proactive (2021)",
    ),
    ("requests", "v_requests", "requests", None, "表三 申请办理", "Table 3 requests"),
    ("appeals", "v_appeals", "appeals", None, "表四 复议诉讼", "Table 4 appeals"),
)


def table_sheet(
    con: Connection, scope: Scope, ctx: Context, name: str, view: str, table: str, fmt: str | None, zh: str, en: str
) -> Sheet:
    """A statistics table laid out like the national format: a row per report and table row, in
    the format's order, the row in the format's words, a column per format column."""
    value_cols = view_columns(table, fmt)
    where, params = scope.where(with_findings=False)
    cols_sql = ", ".join(f"v.{quote(k)}" for k, _ in value_cols)
    sql = f"""SELECT {PLACE_SQL}, r."format", v.row_key, v.row_label, v.extra_row, {cols_sql}, v.report, r.kind,
      p.page
    FROM {quote(view)} v JOIN reports r ON r.id = v.report
    LEFT JOIN (SELECT report, row_key, min(page) AS page FROM "values" WHERE table_key = ? GROUP BY ALL) p
      ON p.report = v.report AND p.row_key = v.row_key
    WHERE {where} ORDER BY {ORDER}, v.row_order"""
    links = ctx.links
    columns = [
        *PLACE,
        Col("format", "格式", "Format"),
        Col("row", "行", "Row"),
        Col("extra_row", "机关自增行", "Added row"),
        *(Col(k, label, k) for k, label in value_cols),
        Col("report", "报告编号", "Report id"),
        *links.columns(),
    ]
    yes = pick(("是", "yes"), ctx.lang)
    n_values = len(value_cols)

    def rows() -> Iterator[list[Any]]:
        for r in _batches(con, sql, [table, *params]):
            place, (row_fmt, row_key, written, extra) = r[:6], r[6:10]
            values = r[10 : 10 + n_values]
            rid, kind, page = r[10 + n_values :]
            label = written if extra else row_label(row_fmt, table, row_key, written)
            yield [
                *place,
                row_fmt,
                label,
                yes if extra else None,
                *values,
                rid,
                *links.cells(rid, f"t-{table}", kind, page),
            ]

    return Sheet(name, zh, en, columns, rows(), table=table, optional=True)


FINDING_COLUMNS = (
    *PLACE,
    Col("code", "规则", "Rule"),
    Col("rule", "规则名称", "Rule title"),
    Col("severity", "级别", "Severity"),
    Col("message", "说明", "Message"),
    Col("section", "章节", "Section"),
    Col("table", "表", "Table"),
    Col("row", "行", "Row"),
    Col("column", "列", "Column"),
    Col("line", "行号", "Line"),
    Col("page", "页码", "Page"),
    Col("figures", "数值", "Figures"),
    Col("decision", "审核结论", "Decision"),
    Col("reviewer", "审核人", "Reviewer"),
    Col("decided_at", "审核时间", "Decided at"),
    Col("comment", "审核意见", "Comment"),
    Col("report", "报告编号", "Report id"),
    Col("path", "文件", "File"),
)


def findings_sheet(con: Connection, scope: Scope, ctx: Context) -> Sheet:
    """The findings the scope selects, by agency and year, worst first: rule and its title,
    severity and place in words, the review decision in force."""
    where, params = scope.where(with_findings=True)
    state = DECISION_STATE
    sql = f"""SELECT {PLACE_SQL}, f.code, f.severity, f.message, f.message_en, f.section, f."table", f."row",
      f."column", f.line, f.page, f.figures, {state} AS decision,
      CASE WHEN {state} IS NOT NULL THEN d.reviewer END, CASE WHEN {state} IS NOT NULL THEN d.decided_at END,
      CASE WHEN {state} IS NOT NULL THEN d.comment END, f.report, r.path, r."format", r.kind, f.origin, f.seq
    FROM {FINDINGS_FROM} WHERE {where}
    ORDER BY {ORDER}, {SEVERITY_ORDER}, f.origin, f.seq"""
    links = ctx.links
    lang = ctx.lang
    titles = rule_titles()

    def rows() -> Iterator[list[Any]]:
        for r in _batches(con, sql, params):
            place = r[:6]
            code, severity, message, message_en, section, table, row, column, line, page, figures = r[6:17]
            decision, reviewer, decided_at, comment, rid, path, fmt, kind, origin, seq = r[17:]
            yield [
                *place,
                code,
                pick(titles[code], lang) if code in titles else None,
                pick(SEVERITY_NAMES.get(severity, (severity, severity)), lang),
                (message_en or message) if lang == "en" else (message or message_en),
                section_label(section),
                table_label(table, lang),
                row_label(fmt, table, row),
                column_label(table, column),
                line,
                page,
                figures_text(figures),
                pick(DECISION_LABELS.get(decision, DECISION_LABELS[None]), lang),
                reviewer,
                decided_at,
                comment,
                rid,
                ctx.path(path),
                *links.cells(rid, f"f-{origin}-{seq}", kind, page),
            ]

    return Sheet("findings", "审核发现", "Findings", [*FINDING_COLUMNS, *links.columns()], rows())


def corpus_sheets(con: Connection, scope: Scope, ctx: Context) -> list[Sheet]:
    """The workbook of ``gongkai export --format xlsx`` and of a report's ``.xlsx`` on the web:
    the reports, each statistics table that has rows, the findings."""
    tables = [table_sheet(con, scope, ctx, *spec) for spec in TABLE_SHEETS]
    return [reports_sheet(con, scope, ctx), *tables, findings_sheet(con, scope, ctx)]


# --- gongkai sum and gongkai roster ---------------------------------------------------------------


def _place(code: str | None) -> tuple[str | None, str | None, str | None, str | None]:
    """(province, city, county, code) of a division code; the code alone when unknown."""
    from gongkai.store.regions import region_for_code

    region = region_for_code(code) if code else None
    if region is None:
        return None, None, None, code
    return region.province, region.city, region.county, code


def sum_sheets(con: Connection, result: RegionSum, prefix: str) -> list[Sheet]:
    """``gongkai sum --format xlsx``: a sheet per format and table, rows in the format's order
    under their groups (the national table's （三）不予公开 …), a column per format column; and the
    reports summed that have error findings. Every row starts with the region and the year (a
    sum has no agency: the agencies are counted in the last column)."""
    from gongkai.store.aggregate import table_layout

    province, city, county, code = _place(prefix.ljust(6, "0") if prefix else None)
    place = [result.region, result.year, province, city, county, code]
    head = [
        Col("region", "地区", "Region"),
        Col("year", "年度", "Year"),
        Col("province", "省", "Province"),
        Col("city", "市", "City"),
        Col("county", "县（区）", "County"),
        Col("region_code", "区划代码", "Division code"),
    ]
    sheets: list[Sheet] = []
    for fmt_id, fsum in result.formats.items():
        spec = load_format(fmt_id)
        for tkey, rows in fsum.tables.items():
            tspec = spec.tables[tkey]
            cols = list(tspec.columns)
            lines: list[list[Any]] = []
            for line in table_layout(fmt_id, tkey, list(rows)):
                if line.row is None:
                    continue  # a group's heading: its name is in the group column of its rows
                group = tspec.rows[line.row].group or tspec.rows[line.row].item
                values = rows[line.row]
                cells = [values[c][0] if c in values else None for c in cols]
                lines.append([*place, fmt_id, group, line.label, *cells, len(fsum.reports)])
            names = table_names()[tkey]
            sheets.append(
                Sheet(
                    f"{fmt_id}-{tkey}",
                    f"{names[0]} {tspec.title}（{fmt_id}格式）",
                    f"{names[1].capitalize()} ({fmt_id})",
                    [
                        *head,
                        Col("format", "格式", "Format"),
                        Col("group", "分组", "Group"),
                        Col("row", "行", "Row"),
                        *(Col(c, tspec.columns[c].label, c) for c in cols),
                        Col("reports", "报告数", "Reports"),
                    ],
                    lines,
                    table=tkey,
                )
            )
    flagged = {f.report: f for f in result.flagged}
    places = dict(
        (rid, rest)
        for rid, *rest in con.execute(
            """SELECT id, agency, "year", province, city, county, region_code FROM reports
            WHERE id IN (SELECT unnest(?))""",
            [list(flagged)],
        ).fetchall()
    )
    sheets.append(
        Sheet(
            "flagged",
            "有错误的报告",
            "Reports with errors",
            [
                *PLACE,
                Col("codes", "错误代码", "Error codes"),
                Col("format", "格式", "Format"),
                Col("report", "报告编号", "Report id"),
                Col("path", "文件", "File"),
            ],
            [
                [
                    *places.get(f.report, [f.agency, result.year, None, None, None, None]),
                    "、".join(f"{c}×{n}" if n > 1 else c for c, n in f.codes.items()),
                    f.format,
                    f.report,
                    f.path,
                ]
                for f in result.flagged
            ],
        )
    )
    return sheets


def roster_sheet(missing: Sequence[Expected], year: int) -> Sheet:
    """``gongkai roster --format xlsx``: the expected agencies without a report for *year*."""
    return Sheet(
        "missing",
        f"{year}年度未见报告",
        f"No {year} report",
        [*PLACE, Col("line", "名单行号", "Roster line"), Col("agency_key", "机关键", "Agency key")],
        [[m.name, year, *_place(m.code), m.line, m.agency_key] for m in missing],
    )


__all__ = [
    "DECISION_LABELS",
    "PLACE",
    "TABLE_SHEETS",
    "XLSX_MAX_ROWS",
    "Col",
    "Context",
    "Link",
    "Links",
    "Scope",
    "Sheet",
    "TooManyRows",
    "add_sheet",
    "column_label",
    "corpus_sheets",
    "figures_text",
    "findings_sheet",
    "pick",
    "plain_value",
    "reports_sheet",
    "roster_sheet",
    "row_label",
    "rule_titles",
    "section_label",
    "sum_sheets",
    "table_label",
    "table_sheet",
    "text_width",
    "write_workbook",
]
