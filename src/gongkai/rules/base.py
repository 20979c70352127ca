"""Findings, places and rules: the catalogue lives on the rule classes.

A :class:`Rule` declares everything the catalogue, the docs and ``--select`` need as class
attributes (code, kebab name, default severity, titles, message templates, options), a
docstring with ``## What it does`` / ``## Why is this bad?`` / ``## Example`` and the same in
Chinese in ``doc_zh`` (``## 说明`` / ``## 为什么是问题`` / ``## 示例``). Its ``check`` yields
:class:`Finding` objects built through :meth:`Rule.finding` at a :class:`Place`, and a place is
only ever made from the parsed objects (a ``Value``, a ``Row``, a ``Section``, a meta field), so
locations are never typed by hand.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, Literal

from gongkai.document import Location, Paragraph, slot_maker, slot_setters
from gongkai.formats import (
    FORMAT_IDS,
    SECTION_KEYS,
    FormatSpec,
    TableSpec,
    format_for_year,
    load_format,
    section_specs,
    table_names,
)
from gongkai.memo import remember
from gongkai.model import Number, Report, Row, TableData, Value
from gongkai.rules.scan import CellRef, TableScan, scan_table

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
# Each severity as people read it: (Chinese, English).
SEVERITY_NAMES: dict[str, tuple[str, str]] = {
    "error": ("错误", "error"),
    "warning": ("警告", "warning"),
    "info": ("提示", "info"),
}

# Family letter → (Chinese name, English name). Y is reserved for year-over-year rules.
FAMILIES: dict[str, tuple[str, str]] = {
    "F": ("格式", "format"),
    "B": ("勾稽", "balance"),
    "T": ("时限", "time"),
    "N": ("文字与数据", "narrative"),
    "Y": ("同比", "year-over-year"),
}


META_FIELDS: dict[str, tuple[str, str]] = {
    "agency": ("机关名称", "agency"),
    "year": ("报告年度", "report year"),
    "region": ("所属地区", "region"),
    "signed_on": ("成文日期", "signing date"),
    "published_on": ("发布日期", "publication date"),
    "title": ("标题", "title"),
}

Figure = int | float | str


def number_text(value: Number | None) -> str:
    """A figure as a reviewer writes it: 12, 3.5, 空 for no value."""
    if value is None:
        return "空"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def json_figure(value: Any) -> Figure | None:
    if value is None or isinstance(value, (int, float, str)):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------------------------
# Places


@dataclass(frozen=True, slots=True, init=False)
class Place:
    """Where a finding points. Build with the class methods, never by hand. Frozen; made with an
    ``__init__`` that sets its slots directly (as ``model.Value``), with the same arguments."""

    section: str | None
    table: str | None
    row: str | None
    column: str | None
    loc: Location
    order: tuple[Any, ...]

    def __init__(
        self,
        section: str | None = None,
        table: str | None = None,
        row: str | None = None,
        column: str | None = None,
        loc: Location | None = None,
        order: tuple[Any, ...] = (),
    ) -> None:
        _place_section(self, section)
        _place_table(self, table)
        _place_row(self, row)
        _place_column(self, column)
        _place_loc(self, Location() if loc is None else loc)
        _place_order(self, order)

    @classmethod
    def report(cls, loc: Location | None = None) -> Place:
        """The report as a whole (meta data, dates)."""
        return _new_place(None, None, None, None, loc or Location(), (0, 0, 0, 0, _line(loc)))

    @classmethod
    def meta(cls, report: Report, name: str) -> Place:
        """A meta field, at the place it was read from when known."""
        return cls.report(report.meta.sources.get(name))

    @classmethod
    def of_section(cls, report: Report, key: str, loc: Location | None = None) -> Place:
        section = report.sections.get(key)
        where = loc or (section.loc if section is not None and section.loc is not None else Location())
        return _new_place(key, None, None, None, where, (_SECTION_ORDINALS.get(key, 0), 0, 0, 0, _line(where)))

    @classmethod
    def of_table(
        cls, spec: TableSpec, table: TableData, column: str | None = None, loc: Location | None = None
    ) -> Place:
        where = loc or table.loc or Location()
        order = (_SECTION_ORDINALS.get(spec.section, 0), 1, -1, _index(spec.columns, column), _line(where))
        return _new_place(spec.section, spec.key, None, column, where, order)

    @classmethod
    def of_row(cls, spec: TableSpec, row: Row, loc: Location | None = None) -> Place:
        where = loc or row.loc
        order = (_SECTION_ORDINALS.get(spec.section, 0), 2, _row_index(spec, row), -1, _line(where))
        return _new_place(spec.section, spec.key, row.key, None, where, order)

    @classmethod
    def of_cell(cls, spec: TableSpec, row: Row, column: str, value: Value | None = None) -> Place:
        """A cell: its value's own location, else the row's."""
        loc = value.loc if value is not None else row.value_loc(column)
        where = loc if loc is not None and _has_place(loc) else row.loc
        order = (
            _SECTION_ORDINALS.get(spec.section, 0),
            2,
            _row_index(spec, row),
            _index(spec.columns, column),
            _line(where),
        )
        return _new_place(spec.section, spec.key, row.key, column, where, order)

    @classmethod
    def of_value(cls, spec: TableSpec, value: Value, row: str | None = None, column: str | None = None) -> Place:
        """A value that belongs to no row of the format (a stray number)."""
        order = (_SECTION_ORDINALS.get(spec.section, 0), 1, -1, -1, _line(value.loc))
        return _new_place(spec.section, spec.key, row, column, value.loc, order)


def _has_place(loc: Location) -> bool:
    return loc.line is not None or loc.table is not None or loc.page is not None


def _line(loc: Location | None) -> int:
    return loc.line if loc is not None and loc.line is not None else 0


# A section's ordinal in the format (1 …), 0 for none.
_SECTION_ORDINALS: dict[str | None, int] = {k: i + 1 for i, k in enumerate(SECTION_KEYS)}


def _index(keys: Mapping[str, Any], key: str | None) -> int:
    """The position of *key* among *keys* (-1 for None, past the end for a key not there)."""
    if key is None:
        return -1
    known = _POSITIONS.get(id(keys))
    if known is None or known[0] is not keys or len(known[1]) != len(keys):
        known = remember(_POSITIONS, 256, id(keys), (keys, {k: i for i, k in enumerate(keys)}))
    return known[1].get(key, len(keys))


# The positions of the keys of a format's rows and columns, by the mapping (kept with them, so
# that an id is never taken for another mapping's).
_POSITIONS: dict[int, tuple[Mapping[str, Any], dict[str, int]]] = {}


def _row_index(spec: TableSpec, row: Row) -> float:
    if row.key in spec.rows:
        return float(_index(spec.rows, row.key))
    # an agency-added row sits after the format row it follows
    return _index(spec.rows, row.after) + 0.5 if row.after else -0.5


# --------------------------------------------------------------------------------------------
# Findings


@dataclass(frozen=True, slots=True, init=False)
class Finding:
    """One problem found in one report. ``to_dict()`` is the public contract (store, web, JSON).
    Frozen; made with an ``__init__`` that sets its slots directly (as ``model.Value``), with the
    same arguments and defaults."""

    code: str
    severity: Severity
    message: str  # Chinese
    message_en: str
    section: str | None = None
    table: str | None = None
    row: str | None = None
    column: str | None = None
    line: int | None = None
    page: int | None = None
    figures: dict[str, Any] = field(default_factory=dict)  # name → number or expression string
    note: str | None = None
    order: tuple[Any, ...] = field(default=(), compare=False, repr=False)

    def __init__(
        self,
        code: str,
        severity: Severity,
        message: str,
        message_en: str,
        section: str | None = None,
        table: str | None = None,
        row: str | None = None,
        column: str | None = None,
        line: int | None = None,
        page: int | None = None,
        figures: dict[str, Any] | None = None,
        note: str | None = None,
        order: tuple[Any, ...] = (),
    ) -> None:
        _finding_code(self, code)
        _finding_severity(self, severity)
        _finding_message(self, message)
        _finding_message_en(self, message_en)
        _finding_section(self, section)
        _finding_table(self, table)
        _finding_row(self, row)
        _finding_column(self, column)
        _finding_line(self, line)
        _finding_page(self, page)
        _finding_figures(self, {} if figures is None else figures)
        _finding_note(self, note)
        _finding_order(self, order)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "message_en": self.message_en,
            "section": self.section,
            "table": self.table,
            "row": self.row,
            "column": self.column,
            "line": self.line,
            "page": self.page,
            "figures": {k: json_figure(v) for k, v in self.figures.items()},
            "note": self.note,
        }

    def sort_key(self) -> tuple[Any, ...]:
        return (*self.order, self.code, self.message)


_PLACE_FIELDS = ("section", "table", "row", "column", "loc", "order")
_FINDING_FIELDS = (
    "code",
    "severity",
    "message",
    "message_en",
    "section",
    "table",
    "row",
    "column",
    "line",
    "page",
    "figures",
    "note",
    "order",
)
_place_section, _place_table, _place_row, _place_column, _place_loc, _place_order = slot_setters(Place, _PLACE_FIELDS)
(
    _finding_code,
    _finding_severity,
    _finding_message,
    _finding_message_en,
    _finding_section,
    _finding_table,
    _finding_row,
    _finding_column,
    _finding_line,
    _finding_page,
    _finding_figures,
    _finding_note,
    _finding_order,
) = slot_setters(Finding, _FINDING_FIELDS)
# Place(...) and Finding(...), made faster (gongkai.document.slot_maker): a place and a finding for
# every finding of every report.
_new_place: Callable[..., Place] = slot_maker(Place, _PLACE_FIELDS)
_new_finding: Callable[..., Finding] = slot_maker(Finding, _FINDING_FIELDS)


# --------------------------------------------------------------------------------------------
# Rules


@dataclass(frozen=True, slots=True)
class Option:
    """A setting a rule reads from ``[tool.gongkai.options]``."""

    name: str  # kebab-case, the key in the config file
    default: Any
    type: type
    doc: str


@dataclass(slots=True)
class Context:
    """What a rule sees: the report, the format its tables were read with, and the options.

    The work several rules share is done once per report and kept here: the tables scanned in
    one pass (:mod:`gongkai.rules.scan`), and in ``cache`` the sums, the claims and the like."""

    report: Report
    format: FormatSpec
    options: Mapping[str, Any] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)  # work shared by rules (the sums, the claims)
    _scans: dict[str, TableScan] | None = None
    _facts: frozenset[str] | None = None
    _readable_tables: list[tuple[TableSpec, TableData]] | None = None
    _by_status: dict[str, list[CellRef]] | None = None
    _paragraphs: list[Paragraph] | None = None

    @classmethod
    def for_report(cls, report: Report, options: Mapping[str, Any] | None = None) -> Context:
        fmt = load_format(report.meta.format) if report.meta.format in FORMAT_IDS else format_for_year(report.meta.year)
        return cls(report, fmt, options or {})

    def option(self, rule: type[Rule] | Rule, name: str) -> Any:
        if name in self.options:
            return self.options[name]
        for opt in rule.options:
            if opt.name == name:
                return opt.default
        raise KeyError(name)

    def table(self, key: str) -> tuple[TableSpec, TableData]:
        return self.format.tables[key], self.report.tables[key]

    def scans(self) -> dict[str, TableScan]:
        """Every table of the format that the report has, scanned once (rules/scan.py)."""
        scans = self._scans
        if scans is None:
            tables = self.report.tables
            scans = self._scans = {
                key: scan_table(spec, tables[key]) for key, spec in self.format.tables.items() if key in tables
            }
        return scans

    def scan(self, key: str) -> TableScan | None:
        return self.scans().get(key)

    def facts(self) -> frozenset[str]:
        """What the report's tables have that some rule reports (``Rule.needs``), from the scan:

        - ``unreadable``: a table of the format missing or without a number (F002)
        - ``missing_rows``: a readable table without a row of the format (F003)
        - ``too_many``, ``too_few``: a row of a readable table with more or fewer cells than
          columns (F004, F005)
        - ``status:<status>``: a cell of a readable table with that status (F006, F010, F012,
          F014, F016)
        - ``extra_rows``, ``stray``: rows outside the format, numbers of no row (F008, F009)
        - ``odd_numbers``: a number that is not whole and non-negative (B005)
        - ``run_together``: a table found with run-together rows, recovered or not (F101)
        """
        facts = self._facts
        if facts is None:
            scans = self.scans()
            found: set[str] = set()
            for key in self.format.tables:
                scan = scans.get(key)
                if scan is None or not scan.readable:
                    found.add("unreadable")
                if scan is not None:
                    found.update(scan.facts)
            facts = self._facts = frozenset(found)
        return facts

    def readable(self, key: str) -> bool:
        """True when the table was found and at least one of its rows has a number — placed in a
        column, or written but not placed for certain (a row short of a cell)."""
        scan = self.scans().get(key)
        if scan is not None:
            return scan.readable
        table = self.report.tables.get(key)  # a table the format does not have
        return (
            table is not None
            and table.found
            and any(
                r.found and any(v.value is not None for v in (*r.values.values(), *r.cells))
                for r in table.rows.values()
            )
        )

    def readable_tables(self) -> list[tuple[TableSpec, TableData]]:
        """The readable tables in the format's order."""
        tables = self._readable_tables
        if tables is None:
            tables = self._readable_tables = [(s.spec, s.table) for s in self.scans().values() if s.readable]
        return tables

    def cells_with_status(self, status: str) -> list[CellRef]:
        """Every cell of a found row of a readable table whose value has ``status`` (blank,
        not_a_number, …), in table, row and column order."""
        by_status = self._by_status
        if by_status is None:
            by_status = self._by_status = {}
            for scan in self.scans().values():
                for name, cells in scan.statuses.items():
                    by_status.setdefault(name, []).extend(cells)
        return by_status.get(status, [])

    def paragraphs(self) -> list[Paragraph]:
        """The document's paragraphs, listed once."""
        paragraphs = self._paragraphs
        if paragraphs is None:
            paragraphs = self._paragraphs = self.report.document.paragraphs()
        return paragraphs

    def locate(self, snippet: str, section: str | None = None) -> Location | None:
        """:func:`locate` over the paragraphs listed once."""
        return locate(self.report, snippet, section, self.paragraphs())


_TABLE_TOKEN = re.compile(r"\{table:(\w+)\}")


def _named_tables(text: str, lang: str) -> str:
    """``{table:requests}`` → 表三 (zh) / table 3 (en; Table 3 at the start of a text)."""

    def name(m: re.Match[str]) -> str:
        zh, en = table_names()[m.group(1)]
        if lang == "zh":
            return zh
        return en.capitalize() if m.start() == 0 else en

    return _TABLE_TOKEN.sub(name, text)


class Rule:
    """Base class of every rule. Subclasses set the ClassVars and implement ``check``."""

    code: ClassVar[str]
    name: ClassVar[str]  # kebab-case
    severity: ClassVar[Severity] = "error"
    title_zh: ClassVar[str]
    title_en: ClassVar[str]
    template_zh: ClassVar[str]
    template_en: ClassVar[str]
    # Further messages of the same rule, by variant name: (zh, en) templates.
    variants: ClassVar[dict[str, tuple[str, str]]] = {}
    options: ClassVar[tuple[Option, ...]] = ()
    status: ClassVar[str] = "stable"
    # False for a rule that says nothing about one report alone (the year rules compare two):
    # check_report does not run it.
    per_report: ClassVar[bool] = True
    # A fact of the report's tables (Context.facts) without which the rule finds nothing:
    # check_report runs it only for a report that has it. None: always run.
    needs: ClassVar[str | None] = None
    # The explanation in Chinese, shown first (``gongkai rules CODE``, docs/rules/): the sections
    # of the English docstring as ## 说明, ## 为什么是问题, ## 示例 (应改为：…), ## 选项, ## 级别.
    doc_zh: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Tables are named in titles and messages as ``{table:requests}``: the format's short
        name (表三 / table 3) is put in here, so that no table name is written in a rule."""
        super().__init_subclass__(**kwargs)
        for attr, lang in (("title_zh", "zh"), ("title_en", "en"), ("template_zh", "zh"), ("template_en", "en")):
            text = cls.__dict__.get(attr)
            if isinstance(text, str):
                setattr(cls, attr, _named_tables(text, lang))
        if "variants" in cls.__dict__:
            cls.variants = {
                k: (_named_tables(zh, "zh"), _named_tables(en, "en")) for k, (zh, en) in cls.variants.items()
            }

    def __init__(self, severity: Severity | None = None) -> None:
        # the severity this instance's findings are made with: the configuration's, else the rule's
        self.reported_severity: Severity = severity or type(self).severity

    def check(self, ctx: Context) -> Iterator[Finding]:
        raise NotImplementedError

    @classmethod
    def family(cls) -> str:
        return cls.code[0]

    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def explanation(cls, lang: str = "zh") -> str:
        """The explanation in *lang*: ``doc_zh`` in Chinese (the English docstring when a rule
        has none), the docstring in English."""
        if lang != "en" and cls.doc_zh:
            return inspect.cleandoc(cls.doc_zh)
        return cls.doc()

    @classmethod
    def summary(cls) -> str:
        """The first paragraph of ``## What it does``, on one line."""
        text = cls.doc()
        if "## What it does" in text:
            body = text.split("## What it does", 1)[1].split("##", 1)[0].strip()
            return " ".join(body.split("\n\n", 1)[0].split())
        return cls.title_en

    @classmethod
    def summary_zh(cls) -> str:
        """The first paragraph of ``## 说明``, on one line (its lines joined without spaces)."""
        text = inspect.cleandoc(cls.doc_zh)
        if "## 说明" in text:
            body = text.split("## 说明", 1)[1].split("##", 1)[0].strip()
            return unwrap_zh(body.split("\n\n", 1)[0])
        return cls.title_zh

    def messages(self, variant: str | None = None, **fields: Any) -> tuple[str, str]:
        """The (Chinese, English) messages of a finding: the templates (or a variant's) filled in,
        the English one starting with a capital."""
        return self._fill(variant, fields)

    def _fill(self, variant: str | None, fields: Mapping[str, Any]) -> tuple[str, str]:
        zh, en = self.variants[variant] if variant else (self.template_zh, self.template_en)
        message_en = en.format_map(fields)
        first = message_en[:1]
        if first.upper() != first:
            message_en = first.upper() + message_en[1:]
        return zh.format_map(fields), message_en

    def made(
        self,
        place: Place,
        messages: tuple[str, str],
        figures: dict[str, Any],
        note: str | None = None,
    ) -> Finding:
        """A finding whose messages are made already (:meth:`messages`): for a rule that keeps
        the messages of the cases that recur from report to report."""
        loc = place.loc
        return _new_finding(
            self.code,
            self.reported_severity,
            messages[0],
            messages[1],
            place.section,
            place.table,
            place.row,
            place.column,
            loc.line,
            loc.page,
            figures,
            note,
            place.order,
        )

    def finding(
        self,
        place: Place,
        *,
        figures: Mapping[str, Any] | None = None,
        note: str | None = None,
        variant: str | None = None,
        **fields: Any,
    ) -> Finding:
        message, message_en = self._fill(variant, fields)
        loc = place.loc
        return _new_finding(
            self.code,
            self.reported_severity,
            message,
            message_en,
            place.section,
            place.table,
            place.row,
            place.column,
            loc.line,
            loc.page,
            dict(figures) if figures else {},
            note,
            place.order,
        )


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def unwrap_zh(text: str) -> str:
    """Chinese Markdown with its paragraphs on one line each: the lines of a paragraph (as
    ``doc_zh`` is wrapped in the source) joined without a space where Chinese meets Chinese, so
    that no reader shows a space in the middle of a sentence. Headings, list items, fenced code
    and blank lines stay as they are; a list item's continuation lines join the item."""
    out: list[str] = []
    fenced = False
    joinable = False  # the last line of out is paragraph text that the next line continues
    for raw in text.split("\n"):
        line = raw.strip()
        if raw.lstrip().startswith("```"):
            fenced = not fenced
            out.append(raw)
            joinable = False
            continue
        if fenced or not line or line.startswith("#"):
            out.append(raw if fenced else line)
            joinable = False
            continue
        if joinable and not line.startswith("- "):
            prev = out[-1]
            sep = "" if _wide(prev[-1]) or _wide(line[0]) else " "
            out[-1] = prev + sep + line
            continue
        out.append(line)
        joinable = True
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Names for messages


def section_title(key: str) -> str:
    for s in section_specs():
        if s.key == key:
            return s.title
    return key


def row_label(spec: TableSpec, row: Row | str) -> str:
    key = row if isinstance(row, str) else row.key
    if key in spec.rows:
        return spec.rows[key].label
    return row.label if isinstance(row, Row) else key


def column_label(spec: TableSpec, column: str) -> str:
    col = spec.columns.get(column)
    return col.label if col is not None else column


def cell_name(spec: TableSpec, row: Row | str, column: str | None = None) -> tuple[str, str]:
    """(zh, en) names of a row or cell: 表三「一、本年新收政府信息公开申请数量」「总计」."""
    key = row if isinstance(row, str) else row.key
    tzh, ten = table_names().get(spec.key, (spec.key, spec.key))
    zh = f"{tzh}「{row_label(spec, row)}」"
    en = f"{ten} row {key}"
    if column is not None:
        zh += f"「{column_label(spec, column)}」"
        en += f", column {column}"
    return zh, en


def locate(
    report: Report, snippet: str, section: str | None = None, paragraphs: list[Paragraph] | None = None
) -> Location | None:
    """Where a piece of section text was read: the first paragraph containing *snippet*, looked
    for within the section's lines first. Text found nowhere gives the section's heading.
    *paragraphs*: the document's, when the caller has listed them already."""
    snippet = snippet.strip()
    sec = report.sections.get(section) if section else None
    span = sec.line_span if sec is not None else None
    fallback: Location | None = None
    if snippet:
        for p in report.document.paragraphs() if paragraphs is None else paragraphs:
            if snippet not in p.text:
                continue
            line = p.loc.line
            if span is None or line is None or span[0] <= line <= span[1]:
                return p.loc
            fallback = fallback or p.loc
    if fallback is not None:
        return fallback
    return sec.loc if sec is not None else None


def describe_place(finding: Finding, format_id: str | None = None, lang: str = "zh") -> str:
    """A finding's place for people: ``表三「一、本年新收政府信息公开申请数量」「总计」 第51行`` /
    ``table 3 row new, column total, line 51``. Labels come from the report's format."""
    en = lang == "en"
    parts: list[str] = []
    if finding.table is not None:
        fmt = load_format(format_id) if format_id else load_format("2021")
        spec = fmt.tables.get(finding.table)
        zh_t, en_t = table_names().get(finding.table, (finding.table, finding.table))
        if en:
            text = en_t
            if finding.row:
                text += f" row {finding.row}"
            if finding.column:
                text += f"{',' if finding.row else ''} column {finding.column}"
        else:
            text = zh_t
            if finding.row:
                text += f"「{row_label(spec, finding.row) if spec else finding.row}」"
            if finding.column:
                label = column_label(spec, finding.column) if spec else finding.column
                text += f"「{label}」" + ("" if finding.row else "列")
        parts.append(text)
    elif finding.section is not None:
        parts.append(f"section {finding.section}" if en else section_title(finding.section))
    else:
        parts.append("report" if en else "全文")
    if finding.page is not None:
        parts.append(f"page {finding.page}" if en else f"第{finding.page}页")
    if finding.line is not None:
        parts.append(f"line {finding.line}" if en else f"第{finding.line}行")
    return ", ".join(parts) if en else " ".join(parts)
