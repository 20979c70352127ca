"""A report laid out as the national format prints it, independent of the output format.

:func:`layout_report` turns a :class:`gongkai.model.Report` into a title, the six sections (their
text and statistics table) and the closing signature. Tables are grids of :class:`WCell` with
rowspan/colspan exactly as in the national template: the applicant head of table 三, its
三、本年度办理结果 block and （三）不予公开 … group cells, the two-level head of table 四. Rows and
columns come from the format's spec (``gongkai.formats``), never from a list written here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from gongkai.formats import TableSpec, load_format, section_specs
from gongkai.model import Report, Row, TableData, Value
from gongkai.normalize import leading_numbering

# Words of the national template's table heads that are no row or column of their own.
REQUESTS_CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
REQUESTS_APPLICANTS = "申请人情况"
REQUESTS_ORGS = "法人或其他组织"
REQUESTS_BLOCK = "三、本年度办理结果"
PROACTIVE_CONTENT = "信息内容"
GROUP_SEPARATOR = " · "  # "行政诉讼 · 未经复议直接起诉": a group under a parent head

NULL_RAWS = frozenset({"——", "—", "-", "--", "－", "/", "／", "无"})


@dataclass(slots=True)
class WCell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    role: str = "value"  # "head", "item", "label", "group", "block", "value"


@dataclass(slots=True)
class WTable:
    key: str
    width: int
    cells: list[WCell]
    n_rows: int
    header_rows: int  # rows of the head (the part a page break would repeat, were it repeated)
    split_row: int | None = None  # a good row to break the page at (inside a group)

    def rows(self) -> list[list[WCell]]:
        out: list[list[WCell]] = [[] for _ in range(self.n_rows)]
        for c in self.cells:
            out[c.row].append(c)
        for r in out:
            r.sort(key=lambda c: c.col)
        return out

    def split(self, at: int) -> tuple[WTable, WTable]:
        """Two tables, rows ``[0, at)`` and ``[at, n)``; a cell spanning the break is cut and its
        rest on the second part is an empty cell, as a page break in Word leaves it."""
        first: list[WCell] = []
        second: list[WCell] = []
        for c in self.cells:
            end = c.row + c.rowspan
            if end <= at:
                first.append(c)
            elif c.row >= at:
                second.append(WCell(c.text, c.row - at, c.col, c.rowspan, c.colspan, c.role))
            else:
                first.append(WCell(c.text, c.row, c.col, at - c.row, c.colspan, c.role))
                second.append(WCell("", 0, c.col, end - at, c.colspan, c.role))
        return (
            WTable(self.key, self.width, first, at, self.header_rows),
            WTable(self.key, self.width, second, self.n_rows - at, 0),
        )


@dataclass(slots=True)
class WSection:
    key: str
    title: str
    paragraphs: list[str]
    table: WTable | None


@dataclass(slots=True)
class WReport:
    title: str | None
    sections: list[WSection]
    signature: list[str]
    published_on: dt.date | None = None
    agency: str | None = None
    notes: list[str] = field(default_factory=list)

    def map_text(self, fn: Callable[[str], str]) -> WReport:
        """The same report with every text passed through ``fn`` (e.g. to traditional characters)."""
        sections = []
        for s in self.sections:
            table = None
            if s.table is not None:
                t = s.table
                table = WTable(
                    t.key,
                    t.width,
                    [WCell(fn(c.text), c.row, c.col, c.rowspan, c.colspan, c.role) for c in t.cells],
                    t.n_rows,
                    t.header_rows,
                    t.split_row,
                )
            sections.append(WSection(s.key, fn(s.title), [fn(p) for p in s.paragraphs], table))
        return WReport(
            fn(self.title) if self.title else None,
            sections,
            [fn(s) for s in self.signature],
            self.published_on,
            fn(self.agency) if self.agency else None,
        )


# ------------------------------------------------------------------------------------------------
# Values


def value_text(v: Value | None) -> str:
    """What a value cell shows: the number as written, a null marker as written, else blank."""
    if v is None:
        return ""
    raw = (v.raw or "").strip()
    if v.value is None:
        return raw if raw in NULL_RAWS else ""
    if v.status is None or v.status == "unit_unknown":
        return raw if raw else _number_text(v.value)
    return _number_text(v.value)


def _number_text(n: int | Decimal) -> str:
    if isinstance(n, Decimal):
        text = format(n.normalize(), "f")
        return text
    return str(n)


def date_text(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# ------------------------------------------------------------------------------------------------
# Tables


class _Grid:
    def __init__(self, key: str, width: int) -> None:
        self.key = key
        self.width = width
        self.cells: list[WCell] = []
        self.n_rows = 0

    def add(self, text: str, row: int, col: int, rowspan: int = 1, colspan: int = 1, role: str = "value") -> None:
        self.cells.append(WCell(text, row, col, rowspan, colspan, role))
        self.n_rows = max(self.n_rows, row + rowspan)

    def table(self, header_rows: int, split_row: int | None = None) -> WTable:
        return WTable(self.key, self.width, self.cells, self.n_rows, header_rows, split_row)


def _rows_in_order(data: TableData, spec: TableSpec) -> list[tuple[str, str, Row | None, str | None]]:
    """(label, row key, data row, group) for the rows to print, extra rows after the row they
    follow. A variant row (2019's single （六）其他处理 in a 2021 report) replaces its sub-rows when
    the report has it."""
    skip: set[str] = set()
    for rspec in spec.rows.values():
        if rspec.optional and rspec.replaces:
            row = data.rows.get(rspec.key)
            if row is not None and row.found and row.cells:
                skip.update(rspec.replaces)
            else:
                skip.add(rspec.key)
    extras: dict[str | None, list[Row]] = {}
    for extra in data.extra_rows:
        extras.setdefault(extra.after, []).append(extra)
    out: list[tuple[str, str, Row | None, str | None]] = []
    for extra in extras.pop(None, []):
        out.append((extra.label, extra.key, extra, None))
    for rspec in spec.rows.values():
        if rspec.key in skip:
            continue
        out.append((rspec.label, rspec.key, data.rows.get(rspec.key), rspec.group))
        for extra in extras.pop(rspec.key, []):
            out.append((extra.label, extra.key, extra, rspec.group))
    for rest in extras.values():  # extra rows after a row that was not printed
        out.extend((e.label, e.key, e, None) for e in rest)
    return out


def _values(row: Row | None, columns: tuple[str, ...]) -> list[str]:
    if row is None:
        return ["" for _ in columns]
    return [value_text(row.values.get(c)) for c in columns]


def proactive_table(data: TableData, spec: TableSpec) -> WTable:
    """Table 二: per item (第二十条第（一）项 …) a head row, a column-label row and its rows."""
    width = 1 + max(len(r.columns) for r in spec.rows.values())
    g = _Grid(spec.key, width)
    row_no = 0
    last_item: str | None = None
    first = True
    rows = _rows_in_order(data, spec)
    for label, rkey, row, _group in rows:
        rspec = spec.rows.get(rkey)
        columns = rspec.columns if rspec is not None else (row.columns if row is not None else ())
        item = rspec.item if rspec is not None else None
        if rspec is not None and (first or item != last_item):
            first, last_item = False, item
            if item:
                g.add(item, row_no, 0, colspan=width, role="item")
                row_no += 1
            g.add(PROACTIVE_CONTENT, row_no, 0, role="head")
            _spread(g, row_no, [spec.columns[c].label for c in columns], width, "head")
            row_no += 1
        g.add(label, row_no, 0, role="label")
        _spread(g, row_no, _values(row, columns), width, "value")
        row_no += 1
    return g.table(header_rows=2)


def _spread(g: _Grid, row_no: int, texts: list[str], width: int, role: str) -> None:
    """Cells from column 1 on; the last one spans what is left of the row."""
    if not texts:
        g.add("", row_no, 1, colspan=width - 1, role=role)
        return
    for i, text in enumerate(texts):
        last = i == len(texts) - 1
        g.add(text, row_no, 1 + i, colspan=(width - 1 - i) if last else 1, role=role)


def _in_block(label: str, group: str | None) -> bool:
    """Rows numbered （一）…（七） and the grouped rows sit in the 三、本年度办理结果 block."""
    return group is not None or leading_numbering(label).startswith("(")


def requests_table(data: TableData, spec: TableSpec) -> WTable:
    columns = tuple(spec.columns)
    label_cols = 3
    width = label_cols + len(columns)
    g = _Grid(spec.key, width)
    labels = [spec.columns[c].label for c in columns]
    # Head: corner, 申请人情况; 自然人 | 法人或其他组织 | 总计; the five kinds of organisation.
    g.add(REQUESTS_CORNER, 0, 0, rowspan=3, colspan=label_cols, role="head")
    g.add(REQUESTS_APPLICANTS, 0, label_cols, colspan=len(columns), role="head")
    g.add(labels[0], 1, label_cols, rowspan=2, role="head")
    if len(columns) > 2:
        g.add(REQUESTS_ORGS, 1, label_cols + 1, colspan=len(columns) - 2, role="head")
        for i, text in enumerate(labels[1:-1]):
            g.add(text, 2, label_cols + 1 + i, role="head")
    g.add(labels[-1], 1, width - 1, rowspan=2, role="head")

    rows = _rows_in_order(data, spec)
    flags = [_in_block(label, group) for label, _, _, group in rows]
    # Extra rows inherit the block of the row before them.
    for i, (_label, rkey, _row, _group) in enumerate(rows):
        if rkey not in spec.rows and i > 0:
            flags[i] = flags[i - 1]
    start = 3
    split_row: int | None = None
    i = 0
    while i < len(rows):
        r = start + i
        if not flags[i]:
            label, _rkey, row, _group = rows[i]
            g.add(label, r, 0, colspan=label_cols, role="label")
            _put_values(g, r, label_cols, _values(row, columns))
            i += 1
            continue
        j = i
        while j < len(rows) and flags[j]:
            j += 1
        g.add(REQUESTS_BLOCK, r, 0, rowspan=j - i, role="block")
        k = i
        while k < j:
            label, _rkey, row, group = rows[k]
            rr = start + k
            if group is None:
                g.add(label, rr, 1, colspan=2, role="label")
                _put_values(g, rr, label_cols, _values(row, columns))
                k += 1
                continue
            m = k
            while m < j and rows[m][3] == group:
                m += 1
            g.add(group, rr, 1, rowspan=m - k, role="group")
            if split_row is None and m - k >= 4:
                split_row = rr + (m - k) // 2  # break the page inside the first long group
            for n in range(k, m):
                label_n, _rk, row_n, _g = rows[n]
                g.add(label_n, start + n, 2, role="label")
                _put_values(g, start + n, label_cols, _values(row_n, columns))
            k = m
        i = j
    return g.table(header_rows=3, split_row=split_row)


def _put_values(g: _Grid, r: int, first_col: int, texts: list[str]) -> None:
    for i, text in enumerate(texts):
        g.add(text, r, first_col + i)


def appeals_table(data: TableData, spec: TableSpec) -> WTable:
    """Table 四: a two-level head over one row of values, groups from the spec's row labels."""
    groups = list(spec.rows.values())
    width = sum(len(r.columns) for r in groups)
    g = _Grid(spec.key, width)
    has_parent = any(GROUP_SEPARATOR in r.label for r in groups)
    head_rows = 3 if has_parent else 2
    col = 0
    i = 0
    while i < len(groups):
        rspec = groups[i]
        if GROUP_SEPARATOR in rspec.label:
            parent = rspec.label.split(GROUP_SEPARATOR, 1)[0]
            j = i
            span = 0
            while j < len(groups) and groups[j].label.split(GROUP_SEPARATOR, 1)[0] == parent:
                span += len(groups[j].columns)
                j += 1
            g.add(parent, 0, col, colspan=span, role="head")
            for n in range(i, j):
                child = groups[n].label.split(GROUP_SEPARATOR, 1)[1]
                g.add(child, 1, col, colspan=len(groups[n].columns), role="head")
                for c in groups[n].columns:
                    g.add(spec.columns[c].label, 2, col, role="head")
                    col += 1
            i = j
            continue
        g.add(rspec.label, 0, col, colspan=len(rspec.columns), role="head")
        for c in rspec.columns:
            g.add(spec.columns[c].label, 1, col, rowspan=head_rows - 1, role="head")
            col += 1
        i += 1
    col = 0
    for rspec in groups:
        for text in _values(data.rows.get(rspec.key), rspec.columns):
            g.add(text, head_rows, col)
            col += 1
    return g.table(header_rows=head_rows)


_TABLE_BUILDERS: dict[str, Callable[[TableData, TableSpec], WTable]] = {
    "proactive": proactive_table,
    "requests": requests_table,
    "appeals": appeals_table,
}


# ------------------------------------------------------------------------------------------------
# The report


def _section_lines(text: str) -> list[str]:
    out = []
    for line in text.split("\n"):
        line = line.strip().lstrip("#").strip()
        if line:
            out.append(line)
    return out


def report_title(report: Report) -> str | None:
    meta = report.meta
    if meta.title:
        return meta.title.strip().lstrip("#").strip()
    if meta.agency and meta.year:
        return f"{meta.agency}{meta.year}年政府信息公开工作年度报告"
    return None


def layout_report(report: Report) -> WReport:
    """The report as the national format lays it out."""
    fmt = load_format(report.meta.format or "2021")
    sections: list[WSection] = []
    for sspec in section_specs():
        section = report.sections.get(sspec.key)
        data = report.tables.get(sspec.key)
        table = None
        if data is not None and data.found and sspec.key in fmt.tables:
            table = _TABLE_BUILDERS[sspec.key](data, fmt.tables[sspec.key])
        if section is None and table is None:
            continue
        title = section.title if section is not None and section.title else sspec.title
        paragraphs = _section_lines(section.text) if section is not None else []
        sections.append(WSection(sspec.key, title, paragraphs, table))
    signature: list[str] = []
    if report.meta.signed_on is not None:
        if report.meta.agency:
            signature.append(report.meta.agency)
        signature.append(date_text(report.meta.signed_on))
    return WReport(
        title=report_title(report),
        sections=sections,
        signature=signature,
        published_on=report.meta.published_on,
        agency=report.meta.agency,
    )
